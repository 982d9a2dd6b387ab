using Rollgate.Release;
using Rollgate.Stores;

namespace Rollgate.Admin.Views;

/// <summary>The answer to a rollback: what changed, and how fast it reached this replica and the fleet.</summary>
public sealed record RollbackView(
    long Generation,
    int? From,
    int? To,
    string Trigger,
    string? Reason,
    DateTimeOffset DecidedAt,
    DateTimeOffset AppliedAt,
    double ApplyMs,
    double CommitMs,
    ReplicaAcksView Replicas,
    string EventId)
{
    public static RollbackView Of(CommandResult.Committed committed, RollbackTrigger trigger) => new(
        committed.Record.Generation,
        committed.Event.From,
        committed.Event.To,
        trigger.ToLabel(),
        committed.Event.Detail,
        committed.Timings.DecidedAt,
        committed.Timings.AppliedAt,
        Math.Round(committed.Timings.ApplyMs, 3),
        Math.Round(committed.Timings.CommitMs, 3),
        ReplicaAcksView.From(committed.Timings.Replicas, committed.Timings.AllAckedMs),
        committed.Event.Id);
}

/// <summary>
/// How many live replicas route by the change. When the store could not say, <c>acked</c> and <c>total</c> are left
/// out and <c>unknown</c> explains why, rather than claiming that the fleet has it.
/// </summary>
public sealed record ReplicaAcksView(int? Acked, int? Total, double? AllAckedMs, string? Unknown)
{
    public static ReplicaAcksView From(FleetAcks? acks, double? allAckedMs) => acks is { } known
        ? new(known.Acked, known.Total, allAckedMs is { } ms ? Math.Round(ms, 3) : null, null)
        : new(null, null, null, "the change is committed and routed by this replica, but the fleet's acknowledgements could not be read from the store");
}
