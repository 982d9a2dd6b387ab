namespace Rollgate.Signals;

/// <summary>
/// Retention of the figure stores, bound from <c>Rollgate:Figures</c>; the defaults are what the gateway uses. The
/// longest window a rule may look at is <see cref="MinuteRetention"/>, so definitions are checked against it.
/// </summary>
public sealed class FigureStoreOptions
{
    public const string SectionName = "Rollgate:Figures";

    /// <summary>Per-second buckets are kept this long: windows up to 1 h are exact, with a margin for late flushes.</summary>
    public TimeSpan SecondRetention { get; set; } = TimeSpan.FromMinutes(65);

    /// <summary>Per-minute rollups are kept this long; windows beyond <see cref="SecondRetention"/> are read from whole minutes.</summary>
    public TimeSpan MinuteRetention { get; set; } = TimeSpan.FromHours(2);
}
