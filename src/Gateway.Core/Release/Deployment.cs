namespace Rollgate.Release;

/// <summary>What to deploy, and how. What is left unset is decided on the agent's state when the command runs.</summary>
/// <param name="Version">The version to deploy.</param>
public sealed record Deployment(int Version)
{
    /// <summary>Unset: a canary when a stable version exists to compare it with, else immediate.</summary>
    public DeployStrategy? Strategy { get; init; }

    /// <summary>A canary's traffic percentages; unset: the agent definition's rollout steps.</summary>
    public IReadOnlyList<double>? Steps { get; init; }

    /// <summary>How long each canary step lasts; unset: the agent definition's step duration.</summary>
    public TimeSpan? StepDuration { get; init; }
}
