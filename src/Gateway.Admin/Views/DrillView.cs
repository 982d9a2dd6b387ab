using Rollgate.Drills;

namespace Rollgate.Admin.Views;

/// <summary>The answer to <c>POST …/drill</c>: the drill's report, and the <c>drill</c> event that records it.</summary>
public sealed record DrillView(
    string Result,
    int From,
    int To,
    double RollbackMs,
    double VerifyMs,
    double RestoreMs,
    double TotalMs,
    DrillReplicas Replicas,
    string? Failure,
    long? Generation,
    string? EventId)
{
    public static DrillView Of(DrillReport report, Release.CommandResult recorded)
    {
        var committed = recorded as Release.CommandResult.Committed;
        return new(report.Result, report.From, report.To, report.RollbackMs, report.VerifyMs, report.RestoreMs, report.TotalMs, report.Replicas,
            report.Failure, committed?.Record.Generation, committed?.Event.Id);
    }
}

/// <summary>An agent's drills as <c>GET /admin/agents/{agent}</c> shows them.</summary>
/// <param name="NextDueAt">When the next scheduled drill is due; null without <c>drill.every</c>.</param>
/// <param name="Running">The drill under way, between its rollback and its restore.</param>
public sealed record DrillStatusView(DateTimeOffset? LastAt, string? LastResult, DateTimeOffset? LastPassedAt, DateTimeOffset? NextDueAt, RunningDrillView? Running)
{
    public static DrillStatusView? Of(Release.AgentRecord record)
    {
        var drill = record.State.Drill;
        var next = DrillScheduler.NextDueAt(record);
        return drill is null && next is null
            ? null
            : new(drill?.LastAt, drill?.LastResult, drill?.LastPassedAt, next,
                drill?.Running is { } run ? new RunningDrillView(run.From, run.To, run.StartedAt) : null);
    }
}

public sealed record RunningDrillView(int From, int To, DateTimeOffset StartedAt);
