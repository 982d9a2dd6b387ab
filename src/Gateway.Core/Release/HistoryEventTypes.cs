namespace Rollgate.Release;

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
    public const string Degrade = "degrade";
    public const string Restore = "restore";
}
