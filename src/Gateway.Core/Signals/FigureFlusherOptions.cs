namespace Rollgate.Signals;

/// <summary>
/// What <see cref="FigureFlusher"/> keeps while the figure store fails, bound from <c>Rollgate:Figures</c> beside the
/// store's retention.
/// </summary>
public sealed class FigureFlusherOptions
{
    public const string SectionName = FigureStoreOptions.SectionName;

    /// <summary>How often <see cref="FigureFlusherService"/> flushes: the per-second buckets need 1 s, so it is not a setting.</summary>
    public TimeSpan Interval { get; internal init; } = TimeSpan.FromSeconds(1);

    /// <summary>Deltas not written within this time (store down) are dropped.</summary>
    public TimeSpan MaxPendingAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>At most this many (agent, version, second) deltas wait for the store; the oldest beyond are dropped.</summary>
    public int MaxPendingDeltas { get; set; } = 100_000;
}
