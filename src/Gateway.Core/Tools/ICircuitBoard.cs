namespace Rollgate.Tools;

/// <summary>
/// Where every replica posts the state of its tool circuits, so the controller can degrade an agent when a tool's
/// circuit opens on any replica. A replica renews its reports every second; a report not renewed within
/// <see cref="CircuitBoards.ReportLifetime"/> is void, so a replica that died with an open circuit stops counting.
/// </summary>
public interface ICircuitBoard
{
    /// <summary>Replaces everything <paramref name="replica"/> reported before with <paramref name="reports"/>.</summary>
    /// <param name="changed">A circuit changed state: watchers are told at once rather than at their next look.</param>
    Task PublishAsync(string replica, IReadOnlyList<CircuitReport> reports, bool changed, CancellationToken cancellationToken);

    /// <summary>Every replica's reports that are still within their lifetime.</summary>
    Task<IReadOnlyList<CircuitReport>> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="onChange"/> whenever a replica publishes a change of state.</summary>
    IDisposable Watch(Action onChange);
}

public static class CircuitBoards
{
    /// <summary>Reports are renewed every second; three missed renewals void them.</summary>
    public static readonly TimeSpan ReportLifetime = TimeSpan.FromSeconds(5);

    public static bool IsLive(CircuitReport report, DateTimeOffset now) => now - report.ReportedAt <= ReportLifetime;
}
