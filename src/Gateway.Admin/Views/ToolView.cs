using Rollgate.Tools;

namespace Rollgate.Admin.Views;

/// <summary>A tool as <c>GET /admin/tools[/{tool}]</c> shows it: its definition and its circuit, combined and per replica.</summary>
public sealed record ToolView(
    string Name,
    long Generation,
    string Endpoint,
    TimeSpan Timeout,
    ToolBreaker Breaker,
    string ProbePath,
    CircuitState State,
    IReadOnlyList<CircuitReplicaView> Replicas,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static ToolView Of(ToolRecord tool, IReadOnlyList<CircuitReport> reports)
    {
        var fleet = FleetCircuit.Of(tool.Name, reports);
        var definition = tool.Definition;
        return new ToolView(tool.Name, tool.Generation, definition.Endpoint, definition.Timeout, definition.Breaker, definition.ProbePath, fleet.State,
            fleet.Replicas.Select(r => new CircuitReplicaView(r.Replica, r.State, r.Since, r.ReportedAt, r.Calls, r.Failures)).ToArray(),
            tool.CreatedAt, tool.UpdatedAt);
    }
}

/// <param name="Replica">The replica's id.</param>
/// <param name="State">Its breaker's state.</param>
/// <param name="Since">When its breaker entered that state.</param>
/// <param name="ReportedAt">When it last reported (reports older than a few seconds are dropped: the replica is gone).</param>
/// <param name="Calls">Calls in its breaker's sampling window when the state last changed.</param>
/// <param name="Failures">Failed calls among them.</param>
public sealed record CircuitReplicaView(string Replica, CircuitState State, DateTimeOffset Since, DateTimeOffset ReportedAt, long Calls, long Failures);
