using Rollgate.Rules.Statistics;
using Rollgate.Signals;

namespace Rollgate.Tests.Signals;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Buckets_span_1ms_to_about_two_minutes_with_underflow_and_overflow()
    {
        var bounds = LatencyHistogram.UpperBoundsMs;
        Assert.Equal(LatencyHistogram.BucketCount, bounds.Length);
        Assert.Equal(1.0, bounds[0]);
        Assert.InRange(bounds[LatencyHistogram.LastFiniteBucket], 120_000, 130_000);
        Assert.Equal(double.PositiveInfinity, bounds[^1]);
        for (var i = 1; i < bounds.Length - 1; i++)
        {
            Assert.Equal(LatencyHistogram.BucketRatio, bounds[i] / bounds[i - 1], 1e-9);
        }
    }

    [Theory]
    [InlineData(-5, 0)]
    [InlineData(double.NaN, 0)]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(1.0000001, 1)]
    [InlineData(1.04, 1)]
    [InlineData(1e9, LatencyHistogram.BucketCount - 1)]
    [InlineData(double.PositiveInfinity, LatencyHistogram.BucketCount - 1)]
    public void BucketOf_places_edge_values(double latencyMs, int bucket)
        => Assert.Equal(bucket, LatencyHistogram.BucketOf(latencyMs));

    [Fact]
    public void Every_value_falls_in_the_bucket_whose_bounds_hold_it()
    {
        var random = new Random(7);
        for (var i = 0; i < 200_000; i++)
        {
            var value = Math.Exp(random.NextDouble() * 13) * (random.Next(2) == 0 ? 1 : 1.0000000001);
            var bucket = LatencyHistogram.BucketOf(value);
            Assert.True(value > LatencyHistogram.LowerBoundMs(bucket) || bucket == 0, $"{value} above the lower bound of {bucket}");
            Assert.True(value <= LatencyHistogram.UpperBoundsMs[bucket], $"{value} at most the upper bound of {bucket}");
        }

        // Exactly on a bound belongs to the bucket it closes.
        for (var b = 1; b <= LatencyHistogram.LastFiniteBucket; b++)
        {
            Assert.Equal(b, LatencyHistogram.BucketOf(LatencyHistogram.UpperBoundsMs[b]));
        }
    }

    [Fact]
    public void Mean_is_within_2_percent_of_the_exact_mean_above_1ms()
    {
        var random = new Random(11);
        var histogram = new LatencyHistogram();
        var sum = 0.0;
        for (var i = 0; i < 50_000; i++)
        {
            var value = 2 + Math.Exp(random.NextDouble() * 8);   // 3 ms to about 3 s
            histogram.Record(value);
            sum += value;
        }

        var exact = sum / histogram.Count;
        Assert.InRange(histogram.Mean()!.Value, exact * 0.98, exact * 1.02);
        Assert.Null(new LatencyHistogram().Mean());
    }

    [Theory]
    [InlineData(1, 5.3, 0.5)]   // median 200 ms
    [InlineData(2, 5.3, 1.0)]
    [InlineData(3, 3.0, 0.8)]   // median 20 ms
    [InlineData(4, 8.5, 0.6)]   // median 5 s
    [InlineData(5, 6.0, 1.5)]   // heavy tail
    public void Quantiles_are_within_5_percent_of_exact_sample_quantiles(int seed, double mu, double sigma)
    {
        var random = new Random(seed);
        var samples = new double[100_000];
        var histogram = new LatencyHistogram();
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = Math.Exp(mu + sigma * StandardNormal(random));
            histogram.Record(samples[i]);
        }

        Array.Sort(samples);
        foreach (var q in new[] { 0.5, 0.9, 0.95, 0.99 })
        {
            var exact = samples[(int)Math.Ceiling(q * samples.Length) - 1];
            if (exact <= 1 || exact > LatencyHistogram.UpperBoundsMs[LatencyHistogram.LastFiniteBucket])
            {
                continue; // outside the guaranteed range (none of these cases get there)
            }

            var estimate = histogram.Quantile(q)!.Value;
            Assert.True(Math.Abs(estimate - exact) / exact < 0.05, $"q={q}: estimate {estimate:F3} vs exact {exact:F3}");
        }
    }

    [Fact]
    public void Quantiles_of_small_samples_stay_within_5_percent()
    {
        var random = new Random(11);
        for (var round = 0; round < 200; round++)
        {
            var n = random.Next(1, 60);
            var samples = Enumerable.Range(0, n).Select(_ => Math.Exp(4 + 2 * random.NextDouble())).ToArray();
            var histogram = new LatencyHistogram();
            foreach (var s in samples)
            {
                histogram.Record(s);
            }

            Array.Sort(samples);
            foreach (var q in new[] { 0.5, 0.95, 0.99 })
            {
                var exact = samples[(int)Math.Ceiling(q * n) - 1];
                var estimate = histogram.Quantile(q)!.Value;
                Assert.True(Math.Abs(estimate - exact) / exact < 0.05, $"n={n} q={q}: {estimate} vs {exact}");
            }
        }
    }

    [Fact]
    public void Empty_histogram_has_no_quantile_and_bad_q_is_refused()
    {
        var histogram = new LatencyHistogram();
        Assert.Null(histogram.Quantile(0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.Quantile(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => histogram.Quantile(double.NaN));
    }

    [Fact]
    public void Sub_millisecond_and_overflow_quantiles_are_bounded()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(0.2);
        Assert.InRange(histogram.Quantile(0.5)!.Value, 0, 1);
        var slow = new LatencyHistogram();
        slow.Record(500_000);
        Assert.Equal(LatencyHistogram.UpperBoundsMs[LatencyHistogram.LastFiniteBucket], slow.Quantile(0.99));
    }

    [Fact]
    public void Histograms_add_up_to_the_histogram_of_the_union()
    {
        var random = new Random(3);
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        var union = new LatencyHistogram();
        for (var i = 0; i < 5_000; i++)
        {
            var value = Math.Exp(random.NextDouble() * 10);
            (i % 3 == 0 ? a : b).Record(value);
            union.Record(value);
        }

        var sum = a.Clone();
        sum.Add(b);
        Assert.Equal(union.Counts.ToArray(), sum.Counts.ToArray());
        Assert.Equal(union.Count, sum.Count);
        Assert.Equal(union.Quantile(0.95), sum.Quantile(0.95));
        Assert.Equal(1_667, a.Count); // Clone and Add left the parts alone
    }

    [Fact]
    public void Sparse_text_round_trips()
    {
        var histogram = new LatencyHistogram();
        foreach (var value in new[] { 0.5, 12, 12.1, 250, 250, 99_999, 1e7 })
        {
            histogram.Record(value);
        }

        var text = histogram.ToSparseString();
        Assert.Equal(5, text.Split(',').Length);
        var parsed = LatencyHistogram.ParseSparse(text);
        Assert.Equal(histogram.Counts.ToArray(), parsed.Counts.ToArray());
        Assert.Equal("", new LatencyHistogram().ToSparseString());
        Assert.Throws<FormatException>(() => LatencyHistogram.ParseSparse("400:1"));
        Assert.Throws<FormatException>(() => LatencyHistogram.ParseSparse("x"));
    }

    [Fact]
    public void Exceedance_counts_feed_the_rule_statistics()
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 90; i++)
        {
            histogram.Record(100);
        }

        for (var i = 0; i < 10; i++)
        {
            histogram.Record(2_000);
        }

        Assert.Equal(10, histogram.CountAbove(300));
        Assert.Equal(90, histogram.CountAtOrBelow(300));
        Assert.Equal(10, HistogramExceedance.CountAbove(LatencyHistogram.UpperBoundsMs, histogram.Counts, 300));
    }

    private static double StandardNormal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
