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
    IReadOnlyList<int> RolledBackVersions,
    RolloutView? Rollout,
    IReadOnlyList<RuleStateView>? Rules,
    AgentDefinition Definition,
    DateTimeOffset UpdatedAt,
    DrillStatusView? Drill)
{
    public static AgentView From(AgentRecord record, DateTimeOffset now, IReadOnlyList<RuleStateView>? rules = null)
    {
        var state = record.State;
        return new AgentView(
            record.Name,
            record.Generation,
            state.Status,
            state.Stable,
            state.Canary,
            state.CanaryPercent,
            state.LastKnownGood(now, record.Definition.BakeTime),
            state.RolledBackFrom,
            state.Rollout is { } r ? new RolloutView(r.Steps, r.StepIndex, r.StepStartedAt, r.StepDuration, state.Paused) : null,
            rules,
            record.Definition,
            record.UpdatedAt,
            DrillStatusView.Of(record));
    }
}

public sealed record RolloutView(IReadOnlyList<double> Steps, int StepIndex, DateTimeOffset StepStartedAt, TimeSpan StepDuration, bool Paused);

public sealed record RuleStateView(string Text, string State, double? Value, double? Baseline)
{
    public int? Subject { get; init; }
    public long? SubjectRequests { get; init; }
    public long? BaselineRequests { get; init; }
    public DateTimeOffset? EvaluatedAt { get; init; }
}
