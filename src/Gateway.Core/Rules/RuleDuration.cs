using System.Globalization;

namespace Rollgate.Rules;

/// <summary>The <c>duration = integer ("ms" | "s" | "m" | "h")</c> production, both directions.</summary>
internal static class RuleDuration
{
    /// <summary>Ticks per unit, largest first so <see cref="Format"/> picks the shortest exact spelling.</summary>
    private static readonly (string Unit, long Ticks)[] Units =
    [
        ("h", TimeSpan.TicksPerHour),
        ("m", TimeSpan.TicksPerMinute),
        ("s", TimeSpan.TicksPerSecond),
        ("ms", TimeSpan.TicksPerMillisecond),
    ];

    public static bool TryGetTicksPerUnit(string unit, out long ticksPerUnit)
    {
        foreach (var (name, ticks) in Units)
        {
            if (string.Equals(unit, name, StringComparison.OrdinalIgnoreCase))
            {
                ticksPerUnit = ticks;
                return true;
            }
        }

        ticksPerUnit = 0;
        return false;
    }

    /// <summary>Renders e.g. 90 s as <c>90s</c> and 5 min as <c>5m</c>; sub-millisecond parts (not expressible in rules) fall back to fractional ms.</summary>
    public static string Format(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }

        foreach (var (name, ticks) in Units)
        {
            if (duration.Ticks % ticks == 0)
            {
                return (duration.Ticks / ticks).ToString(CultureInfo.InvariantCulture) + name;
            }
        }

        return duration.TotalMilliseconds.ToString("R", CultureInfo.InvariantCulture) + "ms";
    }
}
