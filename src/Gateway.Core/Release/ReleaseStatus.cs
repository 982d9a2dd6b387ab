namespace Rollgate.Release;

public enum ReleaseStatus
{
    Empty,
    Stable,
    Canary,
    Paused,
    RolledBack,
}
