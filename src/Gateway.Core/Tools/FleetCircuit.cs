namespace Rollgate.Tools;

/// <summary>
/// One tool's circuit across the fleet, combined from the live reports of every replica: open when it is open on any
/// replica, closed only when it is closed on all of them.
/// </summary>
public sealed record FleetCircuit
{
    public required string Tool { get; init; }

    /// <summary>The worst state any replica reports; closed when none reports the tool.</summary>
    public required CircuitState State { get; init; }

    /// <summary>When the last replica closed, while all are closed (null when no replica reports the tool).</summary>
    public DateTimeOffset? ClosedSince { get; init; }

    /// <summary>When the most recent outage among the replicas not closed began.</summary>
    public DateTimeOffset? LatestOutageSince { get; init; }

    /// <summary>When the earliest outage among the replicas not closed began.</summary>
    public DateTimeOffset? EarliestOutageSince { get; init; }

    /// <summary>The reports combined, by replica.</summary>
    public required IReadOnlyList<CircuitReport> Replicas { get; init; }

    /// <summary>Calls and failures in the sampling windows of the replicas whose circuit is not closed.</summary>
    public long Calls { get; init; }

    public long Failures { get; init; }

    public double? FailureRatio => Calls > 0 ? (double)Failures / Calls : null;

    /// <summary>
    /// Whether the tool has been closed on every replica for at least <paramref name="period"/>. False when no replica
    /// reports it: silence (a store outage, replicas restarting) is no evidence of recovery.
    /// </summary>
    public bool ClosedFor(TimeSpan period, DateTimeOffset now) => State == CircuitState.Closed && ClosedSince is { } since && now - since >= period;

    public static FleetCircuit Of(string tool, IEnumerable<CircuitReport> reports)
    {
        var mine = reports.Where(r => r.Tool == tool).OrderBy(r => r.Replica, StringComparer.Ordinal).ToArray();
        var troubled = mine.Where(r => r.State != CircuitState.Closed).ToArray();
        return new FleetCircuit
        {
            Tool = tool,
            State = mine.Length == 0 ? CircuitState.Closed : mine.Max(r => r.State),
            ClosedSince = troubled.Length == 0 && mine.Length > 0 ? mine.Max(r => r.Since) : null,
            LatestOutageSince = troubled.Max(r => (DateTimeOffset?)(r.OutageSince ?? r.Since)),
            EarliestOutageSince = troubled.Min(r => (DateTimeOffset?)(r.OutageSince ?? r.Since)),
            Replicas = mine,
            Calls = troubled.Sum(r => r.Calls),
            Failures = troubled.Sum(r => r.Failures),
        };
    }
}
