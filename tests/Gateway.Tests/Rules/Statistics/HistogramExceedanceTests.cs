using Rollgate.Rules.Statistics;

namespace Rollgate.Tests.Rules.Statistics;

public sealed class HistogramExceedanceTests
{
    private static readonly double[] Bounds = [0.1, 0.25, 0.5, 1, double.PositiveInfinity];
    private static readonly long[] Counts = [10, 20, 30, 5, 2];

    [Theory]
    [InlineData(0.5, 7)] // (0.5, 1] and (1, ∞)
    [InlineData(0.3, 7)] // inside (0.25, 0.5]: that bucket is left out, conservatively
    [InlineData(0.0, 57)]
    [InlineData(5.0, 0)]
    public void CountAbove_counts_only_buckets_wholly_above(double threshold, long expected) =>
        Assert.Equal(expected, HistogramExceedance.CountAbove(Bounds, Counts, threshold));

    [Theory]
    [InlineData(0.5, 60)]
    [InlineData(0.3, 30)]
    [InlineData(0.05, 0)]
    [InlineData(double.PositiveInfinity, 67)]
    public void CountAtOrBelow_counts_only_buckets_wholly_below(double threshold, long expected) =>
        Assert.Equal(expected, HistogramExceedance.CountAtOrBelow(Bounds, Counts, threshold));

    [Fact]
    public void Bounds_and_counts_must_pair_up() =>
        Assert.Throws<ArgumentException>(() => HistogramExceedance.CountAbove(Bounds, Counts.AsSpan(1), 0.5));
}
