namespace Rollgate.Evals;

/// <summary>An agent's <c>rollout.gate</c>: a canary deployment first runs <see cref="Suite"/> against the canary version and is refused below <see cref="MinPassRate"/>.</summary>
public sealed record EvalGate
{
    public string? Suite { get; init; }
    /// <summary>From 0 to 1.</summary>
    public double? MinPassRate { get; init; }
}
