namespace Rollgate.Release;

/// <summary>Where a canary rollout stands: which step of the plan, and since when.</summary>
public sealed record RolloutProgress(IReadOnlyList<double> Steps, int StepIndex, DateTimeOffset StepStartedAt, TimeSpan StepDuration)
{
    /// <summary>When the canary was deployed: distinguishes a redeployment of the same version.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset StepEndsAt => StepStartedAt + StepDuration;
}
