namespace Rollgate.Signals;

public enum TaskOutcome : byte
{
    None,
    Completed,
    Failed,
}
