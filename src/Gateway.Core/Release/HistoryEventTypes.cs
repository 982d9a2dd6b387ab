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
    public const string Drill = "drill";
    public const string Restore = "restore";
}
