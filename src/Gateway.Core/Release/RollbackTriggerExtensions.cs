namespace Rollgate.Release;

public static class RollbackTriggerExtensions
{
    /// <summary>The trigger as metrics and answers name it.</summary>
    public static string ToLabel(this RollbackTrigger trigger) => trigger switch
    {
        RollbackTrigger.Manual => "manual",
        RollbackTrigger.Rule => "rule",
        RollbackTrigger.Drill => "drill",
        RollbackTrigger.Circuit => "circuit",
        _ => throw new ArgumentOutOfRangeException(nameof(trigger), trigger, null),
    };
}
