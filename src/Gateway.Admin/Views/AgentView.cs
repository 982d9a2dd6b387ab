using Rollgate.Agents;
using Rollgate.Release;

namespace Rollgate.Admin.Views;

/// <summary>The release state of <c>GET /admin/agents/{agent}</c>.</summary>
public sealed record AgentView(
    string Name,
    long Generation,
    ReleaseStatus Status,
    int? Stable,
    int? Canary,
    double CanaryPercent,
    int? LastKnownGood,
    int? RollbackTarget,
    IReadOnlyList<int> RolledBackVersions,
    RolloutView? Rollout,
    IReadOnlyList<RuleStateView>? Rules,
    AgentDefinition Definition,
    DateTimeOffset UpdatedAt,
    DrillStatusView? Drill)
{
    /// <summary>Set while a tool's circuit holds the agent on its degradation version.</summary>
    public DegradationView? Degradation { get; init; }

    public static AgentView From(AgentRecord record, DateTimeOffset now, IReadOnlyList<RuleStateView>? rules = null)
    {
        var state = record.State;
        var view = new AgentView(
            record.Name,
            record.Generation,
            state.Status,
            state.Stable,
            state.Canary,
            state.CanaryPercent,
            state.LastKnownGood(now, record.Definition.BakeTime),
            RollbackTargetOf(state, now, record.Definition.BakeTime),
            state.RolledBackFrom,
            state.Rollout is { } r ? new RolloutView(r.Steps, r.StepIndex, r.StepStartedAt, r.StepDuration, state.Paused) : null,
            rules,
            record.Definition,
            record.UpdatedAt,
            DrillStatusView.Of(record));
        return state.Degradation is { } d ? view with { Degradation = new DegradationView(d.Tool, d.Since, d.RouteTo, state.Stable) } : view;
    }

    /// <summary>
    /// Where a rollback that names no <c>to</c> would go now: with a canary the stable, else the default target; null
    /// when there is none (the rollback would be refused).
    /// </summary>
    private static int? RollbackTargetOf(ReleaseState state, DateTimeOffset now, TimeSpan bakeTime)
        => state.Canary is not null ? state.Stable
            : state.Stable is { } stable ? state.DefaultRollbackTarget(stable, now, bakeTime)
            : null;
}

/// <param name="Tool">The tool whose open circuit caused it.</param>
/// <param name="Since">When the agent was moved.</param>
/// <param name="RouteTo">The version serving all traffic meanwhile.</param>
/// <param name="ReturnsTo">The stable that serves again once the tool has been closed everywhere for its break duration.</param>
public sealed record DegradationView(string Tool, DateTimeOffset Since, int RouteTo, int? ReturnsTo);

public sealed record RolloutView(IReadOnlyList<double> Steps, int StepIndex, DateTimeOffset StepStartedAt, TimeSpan StepDuration, bool Paused);

public sealed record RuleStateView(string Text, string State, double? Value, double? Baseline)
{
    public int? Subject { get; init; }
    public long? SubjectRequests { get; init; }
    public long? BaselineRequests { get; init; }
    public DateTimeOffset? EvaluatedAt { get; init; }
}
