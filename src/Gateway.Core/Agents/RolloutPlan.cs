namespace Rollgate.Agents;

/// <summary>The canary percentages a rollout walks through, and how long each step lasts before the next.</summary>
public sealed record RolloutPlan
{
    public static readonly RolloutPlan Default = new();

    public IReadOnlyList<double> Steps { get; init; } = [5, 25, 50, 100];
    public TimeSpan StepDuration { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>An eval suite a canary deployment must pass first; unset, canaries deploy without one.</summary>
    public Evals.EvalGate? Gate { get; init; }
}
