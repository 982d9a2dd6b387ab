namespace Rollgate.Signals;

/// <summary>
/// Where per-version, per-second figures are kept so that every replica (and the rule evaluator) reads the
/// whole fleet's traffic. Replicas flush what they recorded once a second; readers sum a window.
/// </summary>
public interface IFigureStore
{
    /// <summary>Adds the given per-second deltas (figures are additive, so flushes from many replicas simply sum).</summary>
    Task AddAsync(IReadOnlyList<FigureDelta> deltas, CancellationToken cancellationToken);

    /// <summary>Sums the figures of every version of <paramref name="agent"/> over [<paramref name="from"/>, <paramref name="to"/>).</summary>
    Task<IReadOnlyDictionary<int, FigureSummary>> ReadAsync(string agent, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);
}

/// <summary>The figures one replica recorded for one version during one second.</summary>
public sealed record FigureDelta(string Agent, int Version, long UnixSecond, FigureSummary Figures);
