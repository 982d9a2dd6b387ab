namespace Rollgate.Signals;

/// <summary>Retention of the figure stores; the defaults are what the gateway uses.</summary>
public sealed record FigureStoreOptions
{
    /// <summary>Per-second buckets are kept this long: windows up to 1 h are exact, with a margin for late flushes.</summary>
    public TimeSpan SecondRetention { get; init; } = TimeSpan.FromMinutes(65);

    /// <summary>Per-minute rollups are kept this long; windows beyond <see cref="SecondRetention"/> are read from whole minutes.</summary>
    public TimeSpan MinuteRetention { get; init; } = TimeSpan.FromHours(2);

    internal void Validate()
    {
        if (SecondRetention < TimeSpan.FromMinutes(1) || MinuteRetention < SecondRetention)
        {
            throw new ArgumentException("SecondRetention must be at least 1 minute and MinuteRetention at least SecondRetention.");
        }
    }
}
