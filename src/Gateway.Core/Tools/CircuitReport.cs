namespace Rollgate.Tools;

/// <summary>What one replica's breaker of one tool says, as the replica last reported it to the fleet.</summary>
public sealed record CircuitReport
{
    public required string Tool { get; init; }
    public required string Replica { get; init; }
    public required CircuitState State { get; init; }
    /// <summary>When the circuit entered <see cref="State"/> on that replica.</summary>
    public required DateTimeOffset Since { get; init; }
    /// <summary>When the circuit last left the closed state (it may have half-opened and reopened since); null while closed.</summary>
    public DateTimeOffset? OutageSince { get; init; }
    /// <summary>When the replica sent this report; a report not renewed in time is void (its replica is gone).</summary>
    public required DateTimeOffset ReportedAt { get; init; }
    /// <summary>Calls in the breaker's sampling window when the state last changed.</summary>
    public long Calls { get; init; }
    /// <summary>Failed calls among <see cref="Calls"/>.</summary>
    public long Failures { get; init; }
}
