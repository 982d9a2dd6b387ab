namespace Rollgate.Release;

public enum ReleaseStatus
{
    Empty,
    Stable,
    Canary,
    Paused,
    RolledBack,
    /// <summary>A tool's circuit is open and the agent's traffic goes to its degradation version.</summary>
    Degraded,
}
