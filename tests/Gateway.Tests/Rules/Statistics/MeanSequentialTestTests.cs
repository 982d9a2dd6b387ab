using Rollgate.Rules.Statistics;

namespace Rollgate.Tests.Rules.Statistics;

public sealed class MeanSequentialTestTests
{
    private static MeanSummary Summary(long n, double mean, double sd) =>
        new(n, n * mean, (n - 1) * sd * sd + n * mean * mean);

    [Fact]
    public void Summary_recovers_mean_and_sample_variance()
    {
        var summary = new[] { 2.0, 4, 4, 4, 5, 5, 7, 9 }.Aggregate(default(MeanSummary), (s, v) => s.Add(v));

        Assert.Equal(5, summary.Mean, 1e-12);
        Assert.Equal(32.0 / 7, summary.Variance, 1e-12);
        Assert.Equal(new MeanSummary(8, 40, 232), summary);
        Assert.Equal(new MeanSummary(3, 6, 14), new MeanSummary(1, 2, 4) + new MeanSummary(2, 4, 10));
    }

    [Fact]
    public void Against_a_precisely_known_baseline_the_z_is_the_textbook_one_sample_z()
    {
        // Subject mean 11, sd 5, n 100 vs baseline mean 10 known almost exactly: z = 1 / (5/√100) = 2.
        var z = MeanSequentialTest.ZStatistic(Summary(100, 11, 5), Summary(100_000_000, 10, 2), 1, 1);
        Assert.Equal(2.0, z, 1e-5);
    }

    [Fact]
    public void Cost_doubling_is_caught_and_a_stable_cost_is_not()
    {
        var baseline = Summary(20_000, 0.010, 0.008);

        Assert.True(MeanSequentialTest.GreaterThanRatio(Summary(400, 0.021, 0.017), baseline, 1.5, 0.99).Significant);
        Assert.False(MeanSequentialTest.GreaterThanRatio(Summary(400, 0.0105, 0.008), baseline, 1.5, 0.99).Significant);
    }

    [Fact]
    public void The_same_shift_over_more_requests_gives_more_evidence()
    {
        var baseline = Summary(100_000, 1000, 600);
        var previous = double.NegativeInfinity;
        foreach (var n in new[] { 20, 50, 100, 200, 400, 800 })
        {
            var statistic = MeanSequentialTest.GreaterThanRatio(Summary(n, 1300, 780), baseline, 1, 0.99).Statistic;
            Assert.True(statistic > previous);
            previous = statistic;
        }
    }

    [Fact]
    public void A_subject_that_has_not_met_its_expensive_requests_is_not_trusted()
    {
        // 30 requests that all look cheap and alike, against a baseline whose spread is as large as its mean.
        // Welch alone would give z ≈ 11; borrowing the baseline's coefficient of variation gives z ≈ 1.1.
        var subject = Summary(30, 4, 0.4);
        var baseline = Summary(10_000, 10, 10);

        Assert.True(MeanSequentialTest.ZStatistic(subject, baseline, 0.5, -1) < 1.5);
        Assert.False(MeanSequentialTest.LessThanRatio(subject, baseline, 0.5, 0.99).Significant);
    }

    [Fact]
    public void Tokens_dropping_by_half_is_caught_by_the_less_than_direction()
    {
        var baseline = Summary(20_000, 800, 400);
        Assert.True(MeanSequentialTest.LessThanRatio(Summary(500, 300, 150), baseline, 0.5, 0.99).Significant);
        Assert.False(MeanSequentialTest.GreaterThanRatio(Summary(500, 300, 150), baseline, 0.5, 0.99).Significant);
    }

    [Theory]
    [InlineData(0, 0.0, 0.0)]
    [InlineData(1, 5.0, 0.0)]
    [InlineData(20, 0.0, 0.0)]
    [InlineData(20, 3.0, 0.0)]
    public void Degenerate_summaries_give_finite_statistics(long n, double mean, double sd)
    {
        var subject = Summary(n, mean, sd);
        foreach (var baseline in new[] { Summary(0, 0, 0), Summary(50, 0, 0), Summary(50, 3, 0), Summary(50, 2, 1) })
        {
            var greater = MeanSequentialTest.GreaterThanRatio(subject, baseline, 1, 0.99);
            var less = MeanSequentialTest.LessThanRatio(subject, baseline, 1, 0.99);
            Assert.True(double.IsFinite(greater.Statistic));
            Assert.True(double.IsFinite(less.Statistic));
        }

        Assert.False(MeanSequentialTest.GreaterThanRatio(Summary(20, 0, 0), Summary(50, 0, 0), 1, 0.99).Significant);
    }

    [Fact]
    public void Invalid_arguments_are_refused()
    {
        var ok = Summary(20, 1, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => MeanSequentialTest.GreaterThanRatio(ok, ok, -1, 0.99));
        Assert.Throws<ArgumentOutOfRangeException>(() => MeanSequentialTest.GreaterThanRatio(ok, ok, 1, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => MeanSequentialTest.GreaterThanRatio(new MeanSummary(-1, 0, 0), ok, 1, 0.99));
        Assert.Throws<ArgumentOutOfRangeException>(() => MeanSequentialTest.LessThanRatio(ok, new MeanSummary(5, double.NaN, 0), 1, 0.99));
    }
}
