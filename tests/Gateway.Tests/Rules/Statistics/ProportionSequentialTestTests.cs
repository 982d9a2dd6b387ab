using Rollgate.Rules.Statistics;

namespace Rollgate.Tests.Rules.Statistics;

public sealed class ProportionSequentialTestTests
{
    [Fact]
    public void With_ratio_one_the_z_is_the_textbook_pooled_two_proportion_z()
    {
        // 45/100 vs 30/100: pooled p = 0.375, z = 0.15 / √(0.375·0.625·(1/100 + 1/100)) = 2.19089.
        Assert.Equal(2.1908902300206647, ProportionSequentialTest.ZStatistic(100, 45, 100, 30, 1, 1), 1e-9);
    }

    [Fact]
    public void When_the_unpooled_variance_is_larger_the_z_is_the_textbook_wald_z()
    {
        // 10/100 vs 100/10000: z = 0.09 / √(0.1·0.9/100 + 0.01·0.99/10000) = 2.99835 (pooled would say 8.6).
        Assert.Equal(2.998351360003387, ProportionSequentialTest.ZStatistic(100, 10, 10_000, 100, 1, 1), 1e-9);
    }

    [Fact]
    public void With_a_ratio_the_variance_is_fitted_under_p_s_equal_k_times_p_b()
    {
        // 80/100 vs 120/200, k = 1.2: the constrained MLE (p̃_b = 0.63183, p̃_s = 0.75819, found by direct
        // maximization) gives V = p̃_s(1−p̃_s)/100 + 1.44·p̃_b(1−p̃_b)/200 and z = 0.08/√V.
        Assert.Equal(1.3506580256719782, ProportionSequentialTest.ZStatistic(100, 80, 200, 120, 1.2, 1), 1e-7);
    }

    [Fact]
    public void Statistic_and_threshold_are_the_log_mixture_ratio_and_log_one_over_alpha()
    {
        var result = ProportionSequentialTest.GreaterThanRatio(300, 25, 5700, 68, 1.5, 0.99);

        Assert.True(result.Significant);
        Assert.Equal(Math.Log(100), result.Threshold, 1e-9);
        Assert.True(result.Statistic >= result.Threshold);
        Assert.Equal(ProportionSequentialTest.Method, result.Method);
    }

    [Fact]
    public void More_events_at_the_same_sample_size_give_more_evidence()
    {
        var previous = double.NegativeInfinity;
        for (var events = 0; events <= 60; events++)
        {
            var statistic = ProportionSequentialTest.GreaterThanRatio(200, events, 4000, 48, 1.5, 0.99).Statistic;
            Assert.True(statistic >= previous, $"statistic fell at {events} events");
            previous = statistic;
        }
    }

    [Fact]
    public void The_same_rates_over_more_requests_become_significant()
    {
        var results = new[] { 20, 50, 100, 200, 400, 800 }
            .Select(n => ProportionSequentialTest.GreaterThanRatio(n, n * 8 / 100, n * 19, n * 19 / 100, 1.5, 0.99))
            .ToArray();

        for (var i = 1; i < results.Length; i++)
        {
            Assert.True(results[i].Statistic > results[i - 1].Statistic);
        }

        Assert.False(results[0].Significant);
        Assert.True(results[^1].Significant);
    }

    [Theory]
    [InlineData(0, 0, 0, 0)]
    [InlineData(1, 0, 1, 0)]
    [InlineData(20, 0, 20, 0)]
    [InlineData(20, 20, 20, 20)]
    [InlineData(20, 0, 380, 380)]
    [InlineData(20, 20, 380, 0)]
    [InlineData(1_000_000_000, 0, 1_000_000_000, 0)]
    [InlineData(1_000_000_000, 999_999_999, 1_000_000_000, 1)]
    public void Degenerate_counts_give_finite_statistics(long sn, long se, long bn, long be)
    {
        foreach (var ratio in new[] { 0.0, 0.5, 1.0, 1.5, 3.0 })
        {
            var greater = ProportionSequentialTest.GreaterThanRatio(sn, se, bn, be, ratio, 0.99);
            var less = ProportionSequentialTest.LessThanRatio(sn, se, bn, be, ratio, 0.99);
            Assert.True(double.IsFinite(greater.Statistic) && double.IsFinite(greater.Threshold));
            Assert.True(double.IsFinite(less.Statistic) && double.IsFinite(less.Threshold));
        }
    }

    [Fact]
    public void No_events_anywhere_is_never_significant()
    {
        Assert.False(ProportionSequentialTest.GreaterThanRatio(20, 0, 380, 0, 1.5, 0.99).Significant);
        Assert.False(ProportionSequentialTest.LessThanRatio(20, 0, 380, 0, 1.5, 0.99).Significant);
        Assert.False(ProportionSequentialTest.GreaterThanRatio(0, 0, 0, 0, 1, 0.99).Significant);
    }

    [Fact]
    public void A_larger_ratio_needs_more_evidence()
    {
        // Subject at 9%, baseline at 3%: three times as high.
        var statistics = new[] { 0.0, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0 }
            .Select(k => ProportionSequentialTest.GreaterThanRatio(1000, 90, 20_000, 600, k, 0.99))
            .ToArray();

        for (var i = 1; i < statistics.Length; i++)
        {
            Assert.True(statistics[i].Statistic < statistics[i - 1].Statistic);
        }

        Assert.True(statistics[2].Significant); // 1.5x
        Assert.False(statistics[5].Significant); // 3x: the observed ratio itself
        Assert.False(statistics[6].Significant);
    }

    [Fact]
    public void Less_than_is_the_mirror_of_greater_than_on_the_complementary_rate()
    {
        // Completion 70% vs 85% is failure 30% vs 15%: the same question asked from the other side.
        var less = ProportionSequentialTest.LessThanRatio(400, 280, 8000, 6800, 1, 0.99);
        var greater = ProportionSequentialTest.GreaterThanRatio(400, 120, 8000, 1200, 1, 0.99);

        Assert.True(less.Significant);
        Assert.Equal(greater.Statistic, less.Statistic, 1e-9);
        Assert.False(ProportionSequentialTest.GreaterThanRatio(400, 280, 8000, 6800, 1, 0.99).Significant);
    }

    [Fact]
    public void Less_than_ratio_detects_a_drop_only_below_k_times_the_baseline()
    {
        // Completion 72% vs 90% = 0.8x: a clear drop below 0.9x, but not below 0.7x.
        Assert.True(ProportionSequentialTest.LessThanRatio(1000, 720, 20_000, 18_000, 0.9, 0.99).Significant);
        Assert.False(ProportionSequentialTest.LessThanRatio(1000, 720, 20_000, 18_000, 0.7, 0.99).Significant);
    }

    [Fact]
    public void Higher_confidence_is_harder_to_reach()
    {
        var at95 = ProportionSequentialTest.GreaterThanRatio(150, 12, 2850, 34, 1.5, 0.95);
        var at999 = ProportionSequentialTest.GreaterThanRatio(150, 12, 2850, 34, 1.5, 0.999);

        Assert.Equal(at95.Statistic, at999.Statistic);
        Assert.True(at999.Threshold > at95.Threshold);
    }

    [Theory]
    [InlineData(-1, 0, 10, 0, 1.0, 0.99)]
    [InlineData(10, 11, 10, 0, 1.0, 0.99)]
    [InlineData(10, 0, 10, -1, 1.0, 0.99)]
    [InlineData(10, 0, 10, 0, -0.5, 0.99)]
    [InlineData(10, 0, 10, 0, double.NaN, 0.99)]
    [InlineData(10, 0, 10, 0, double.PositiveInfinity, 0.99)]
    [InlineData(10, 0, 10, 0, 1.0, 1.0)]
    [InlineData(10, 0, 10, 0, 1.0, 0.0)]
    public void Invalid_arguments_are_refused(long sn, long se, long bn, long be, double ratio, double confidence)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ProportionSequentialTest.GreaterThanRatio(sn, se, bn, be, ratio, confidence));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProportionSequentialTest.LessThanRatio(sn, se, bn, be, ratio, confidence));
    }
}
