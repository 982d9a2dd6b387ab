namespace Rollgate.Release;

/// <summary>The <c>type</c> of a history event: one per kind of release change.</summary>
public static class HistoryEventTypes
{
    public const string Define = "define";
    public const string Deploy = "deploy";
    public const string Promote = "promote";
    public const string Weight = "weight";
    public const string Pause = "pause";
    public const string Resume = "resume";
    public const string Rollback = "rollback";
    public const string Alert = "alert";
    public const string Degrade = "degrade";
    /// <summary>The end of a degradation, or of a drill: the release goes back to what it was.</summary>
    public const string Restore = "restore";
    /// <summary>A tool was removed from the registry (tools have history of their own).</summary>
    public const string Delete = "delete";
    public const string Drill = "drill";
    /// <summary>A run of an eval suite against a version; it changes nothing, so it carries the agent's current generation.</summary>
    public const string Eval = "eval";
}
