namespace Rollgate.Signals;

/// <summary>
/// A read window [from, to) in whole unix seconds (both ends rounded down), split into the whole minutes read from
/// per-minute rollups and the seconds at either edge read from per-second buckets.
/// </summary>
internal readonly record struct FigureWindow(long FromSecond, long ToSecond)
{
    public static FigureWindow Of(DateTimeOffset from, DateTimeOffset to)
        => new(FloorDiv(from.ToUnixTimeMilliseconds(), 1000), FloorDiv(to.ToUnixTimeMilliseconds(), 1000));

    public bool IsEmpty => ToSecond <= FromSecond;

    /// <summary>Whole minutes [start, end) inside the window (empty when start ≥ end).</summary>
    public (long Start, long End) Minutes
    {
        get
        {
            var start = -FloorDiv(-FromSecond, 60); // ceiling
            var end = FloorDiv(ToSecond, 60);
            return start < end ? (start, end) : (0, 0);
        }
    }

    /// <summary>The seconds of the window not covered by <see cref="Minutes"/>, ascending.</summary>
    public IEnumerable<long> EdgeSeconds()
    {
        if (IsEmpty)
        {
            yield break;
        }

        var (start, end) = Minutes;
        if (start >= end)
        {
            for (var s = FromSecond; s < ToSecond; s++)
            {
                yield return s;
            }

            yield break;
        }

        for (var s = FromSecond; s < start * 60; s++)
        {
            yield return s;
        }

        for (var s = end * 60; s < ToSecond; s++)
        {
            yield return s;
        }
    }

    public static long MinuteOf(long unixSecond) => FloorDiv(unixSecond, 60);

    public static long FloorDiv(long value, long divisor)
    {
        var quotient = value / divisor;
        return value % divisor != 0 && (value < 0) != (divisor < 0) ? quotient - 1 : quotient;
    }
}
