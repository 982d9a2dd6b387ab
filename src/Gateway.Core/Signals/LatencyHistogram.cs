using System.Globalization;
using System.Text;
using Rollgate.Rules.Statistics;

namespace Rollgate.Signals;

/// <summary>
/// Latency distribution in log-scaled buckets, additive so per-second histograms sum over any window.
/// Bucket 0 holds (−∞, 1 ms]; bucket i in 1..<see cref="LastFiniteBucket"/> holds (1.04^(i−1), 1.04^i] ms; the last
/// bucket holds everything above 1.04^299 ms ≈ 123.8 s. Each finite bucket spans a ratio of 1.04, and a quantile is
/// interpolated inside the bucket that holds it, so any quantile above 1 ms is within 4% of the exact sample quantile
/// (below 1 ms the error is at most 1 ms in absolute terms).
/// </summary>
/// <remarks>Not thread-safe: the hot path records into <see cref="VersionSignals"/>, which is; this type is for sums and reads.</remarks>
public sealed class LatencyHistogram
{
    /// <summary>Growth of the upper bound from one bucket to the next.</summary>
    public const double BucketRatio = 1.04;

    /// <summary>Index of the last bucket with a finite upper bound (≈ 123.8 s).</summary>
    public const int LastFiniteBucket = 299;

    /// <summary>Number of buckets including the underflow (≤ 1 ms) and overflow (&gt; ≈ 123.8 s) buckets.</summary>
    public const int BucketCount = LastFiniteBucket + 2;

    private static readonly double MidpointRatio = Math.Sqrt(BucketRatio);
    private static readonly double InverseLogRatio = 1 / Math.Log(BucketRatio);
    private static readonly double[] Bounds = CreateBounds();

    private readonly long[] _counts = new long[BucketCount];

    /// <summary>Upper bound in milliseconds of every bucket (Prometheus convention, per-bucket not cumulative; the last is +∞).</summary>
    public static ReadOnlySpan<double> UpperBoundsMs => Bounds;

    /// <summary>Observations recorded.</summary>
    public long Count { get; private set; }

    /// <summary>Observations per bucket (not cumulative), aligned with <see cref="UpperBoundsMs"/>.</summary>
    public ReadOnlySpan<long> Counts => _counts;

    public long this[int bucket] => _counts[bucket];

    public bool IsEmpty => Count == 0;

    /// <summary>The bucket a latency falls in; NaN and negative values count as 0 ms.</summary>
    public static int BucketOf(double latencyMs)
    {
        if (!(latencyMs > 1))
        {
            return 0; // also NaN
        }

        if (latencyMs > Bounds[LastFiniteBucket])
        {
            return BucketCount - 1;
        }

        var bucket = (int)Math.Ceiling(Math.Log(latencyMs) * InverseLogRatio);
        // Math.Log rounding can land one bucket off at a bound: correct against the exact bounds.
        if (bucket < 1)
        {
            bucket = 1;
        }
        else if (bucket > LastFiniteBucket)
        {
            bucket = LastFiniteBucket;
        }

        if (latencyMs > Bounds[bucket])
        {
            bucket++;
        }
        else if (bucket > 1 && latencyMs <= Bounds[bucket - 1])
        {
            bucket--;
        }

        return bucket;
    }

    /// <summary>Lower bound in milliseconds of a bucket (0 for the underflow bucket).</summary>
    public static double LowerBoundMs(int bucket) => bucket <= 0 ? 0 : Bounds[bucket - 1];

    public void Record(double latencyMs) => Add(BucketOf(latencyMs), 1);

    /// <summary>Adds <paramref name="count"/> observations to one bucket (used when reading serialized histograms).</summary>
    public void Add(int bucket, long count)
    {
        if ((uint)bucket >= BucketCount)
        {
            throw new ArgumentOutOfRangeException(nameof(bucket), bucket, $"A bucket is 0..{BucketCount - 1}.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _counts[bucket] += count;
        Count += count;
    }

    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count == 0)
        {
            return;
        }

        var source = other._counts;
        for (var i = 0; i < source.Length; i++)
        {
            _counts[i] += source[i];
        }

        Count += other.Count;
    }

    public void Clear()
    {
        Array.Clear(_counts);
        Count = 0;
    }

    public LatencyHistogram Clone()
    {
        var clone = new LatencyHistogram();
        clone.Add(this);
        return clone;
    }

    /// <summary>
    /// The <paramref name="q"/>-quantile in milliseconds (0 ≤ q ≤ 1), null when empty. The bucket holding the
    /// observation of rank ⌈q·n⌉ is found and the value interpolated geometrically inside it; the overflow bucket
    /// answers its lower bound.
    /// </summary>
    public double? Quantile(double q)
    {
        if (!(q >= 0 && q <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(q), q, "A quantile is between 0 and 1.");
        }

        if (Count == 0)
        {
            return null;
        }

        var rank = Math.Max(q * Count, 1e-9); // q = 0 → the first observation
        long before = 0;
        for (var bucket = 0; bucket < BucketCount; bucket++)
        {
            var count = _counts[bucket];
            if (count == 0 || before + count < rank)
            {
                before += count;
                continue;
            }

            var fraction = (rank - before) / count;
            if (bucket == 0)
            {
                return fraction * Bounds[0];
            }

            if (bucket == BucketCount - 1)
            {
                return Bounds[LastFiniteBucket];
            }

            var lower = Bounds[bucket - 1];
            return lower * Math.Pow(BucketRatio, fraction);
        }

        return Bounds[LastFiniteBucket]; // unreachable: rank ≤ Count
    }

    /// <summary>
    /// The mean in milliseconds, null when empty, estimated from the buckets: each observation counts as its bucket's
    /// geometric midpoint (within 2% of its true value above 1 ms), the underflow bucket as 0.5 ms and the overflow
    /// bucket as its lower bound.
    /// </summary>
    public double? Mean()
    {
        if (Count == 0)
        {
            return null;
        }

        var sum = _counts[0] * 0.5 * Bounds[0] + _counts[BucketCount - 1] * Bounds[LastFiniteBucket];
        for (var bucket = 1; bucket <= LastFiniteBucket; bucket++)
        {
            if (_counts[bucket] != 0)
            {
                sum += _counts[bucket] * Bounds[bucket - 1] * MidpointRatio;
            }
        }

        return sum / Count;
    }

    /// <summary>Observations certainly above <paramref name="thresholdMs"/> (see <see cref="HistogramExceedance"/>).</summary>
    public long CountAbove(double thresholdMs) => HistogramExceedance.CountAbove(UpperBoundsMs, Counts, thresholdMs);

    /// <summary>Observations certainly at or below <paramref name="thresholdMs"/>.</summary>
    public long CountAtOrBelow(double thresholdMs) => HistogramExceedance.CountAtOrBelow(UpperBoundsMs, Counts, thresholdMs);

    /// <summary>The non-empty buckets in ascending order: the sparse form the stores keep.</summary>
    public IEnumerable<(int Bucket, long Count)> NonZero()
    {
        for (var i = 0; i < BucketCount; i++)
        {
            if (_counts[i] != 0)
            {
                yield return (i, _counts[i]);
            }
        }
    }

    /// <summary>Compact text form <c>bucket:count,bucket:count</c> of the non-empty buckets (empty string when empty).</summary>
    public string ToSparseString()
    {
        var text = new StringBuilder();
        foreach (var (bucket, count) in NonZero())
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(bucket.ToString(CultureInfo.InvariantCulture)).Append(':').Append(count.ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>Reads <see cref="ToSparseString"/>; repeated buckets add up.</summary>
    public static LatencyHistogram ParseSparse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var histogram = new LatencyHistogram();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = part.IndexOf(':');
            if (colon <= 0
                || !int.TryParse(part.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var bucket)
                || !long.TryParse(part.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                || bucket >= BucketCount)
            {
                throw new FormatException($"'{part}' is not bucket:count with a bucket in 0..{BucketCount - 1}.");
            }

            histogram.Add(bucket, count);
        }

        return histogram;
    }

    private static double[] CreateBounds()
    {
        var bounds = new double[BucketCount];
        for (var i = 0; i <= LastFiniteBucket; i++)
        {
            bounds[i] = Math.Pow(BucketRatio, i);
        }

        bounds[BucketCount - 1] = double.PositiveInfinity;
        return bounds;
    }
}
