namespace Rollgate.Rules.Statistics;

/// <summary>
/// Turns per-bucket histogram counts into the exceedance counts <see cref="ExceedanceSequentialTest"/>
/// takes. A bucket is only counted when it lies wholly on the tested side of the threshold, so a
/// threshold inside a bucket undercounts: that costs power, never false rollbacks.
/// </summary>
public static class HistogramExceedance
{
    /// <summary>
    /// Observations certainly above <paramref name="threshold"/>. Bucket i holds observations in
    /// (upperBounds[i−1], upperBounds[i]] (Prometheus convention; the first starts at −∞, the last
    /// bound may be +∞); <paramref name="counts"/> are per bucket, not cumulative.
    /// </summary>
    public static long CountAbove(ReadOnlySpan<double> upperBounds, ReadOnlySpan<long> counts, double threshold)
    {
        Validate(upperBounds, counts);
        long total = 0;
        for (var i = 1; i < counts.Length; i++)
        {
            if (upperBounds[i - 1] >= threshold)
            {
                total += counts[i];
            }
        }

        return total;
    }

    /// <summary>Observations certainly at or below <paramref name="threshold"/> (for <c>&lt;</c> rules).</summary>
    public static long CountAtOrBelow(ReadOnlySpan<double> upperBounds, ReadOnlySpan<long> counts, double threshold)
    {
        Validate(upperBounds, counts);
        long total = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (upperBounds[i] <= threshold)
            {
                total += counts[i];
            }
        }

        return total;
    }

    private static void Validate(ReadOnlySpan<double> upperBounds, ReadOnlySpan<long> counts)
    {
        if (upperBounds.Length != counts.Length)
        {
            throw new ArgumentException("Every bucket needs an upper bound and a count.", nameof(counts));
        }
    }
}
