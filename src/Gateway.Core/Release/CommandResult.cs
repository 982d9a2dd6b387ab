using Rollgate.Stores;

namespace Rollgate.Release;

/// <summary>The result of a release command as the admin API needs it to answer.</summary>
public abstract record CommandResult
{
    public sealed record Committed(AgentRecord Record, HistoryEvent Event, ApplyTimings Timings) : CommandResult;

    public sealed record NotFound(string Agent) : CommandResult;

    public sealed record PreconditionFailed(long CurrentGeneration) : CommandResult;

    public sealed record Refused(RefusalReason Reason, string Title, string Detail) : CommandResult;
}

/// <summary>
/// How long a change took from decision to routing, here and across the fleet. <see cref="Replicas"/> is null when
/// the fleet's acknowledgements could not be read after the commit: the change holds, only the report is missing.
/// </summary>
public sealed record ApplyTimings(DateTimeOffset DecidedAt, DateTimeOffset AppliedAt, double CommitMs, double ApplyMs, FleetAcks? Replicas, double? AllAckedMs);
