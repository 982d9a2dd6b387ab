using Rollgate.Release;
using Rollgate.Stores;

namespace Rollgate.Admin.Views;

/// <summary>The answer to a rollback (spec §4): what changed, and how fast it reached this replica and the fleet.</summary>
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
    public static RollbackView Of(CommandResult.Committed committed, string trigger) => new(
        committed.Record.Generation,
        committed.Event.From,
        committed.Event.To,
        trigger,
        committed.Event.Detail,
        committed.Timings.DecidedAt,
        committed.Timings.AppliedAt,
        Math.Round(committed.Timings.ApplyMs, 3),
        Math.Round(committed.Timings.CommitMs, 3),
        ReplicaAcksView.From(committed.Timings.Replicas, committed.Timings.AllAckedMs),
        committed.Event.Id);
}

public sealed record ReplicaAcksView(int Acked, int Total, double? AllAckedMs)
{
    public static ReplicaAcksView From(FleetAcks acks, double? allAckedMs) => new(acks.Acked, acks.Total, allAckedMs is { } ms ? Math.Round(ms, 3) : null);
}
