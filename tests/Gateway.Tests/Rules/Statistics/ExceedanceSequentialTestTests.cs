using Rollgate.Rules.Statistics;

namespace Rollgate.Tests.Rules.Statistics;

public sealed class ExceedanceSequentialTestTests
{
    [Theory]
    [InlineData(50, 10, 0.05)]
    [InlineData(200, 3, 0.05)]
    [InlineData(40, 30, 0.5)]
    [InlineData(120, 20, 0.1)]
    public void Closed_form_equals_the_truncated_beta_mixture_integral(int n, int x, double p0)
    {
        // M = ∫ (p/p₀)^x ((1−p)/(1−p₀))^(n−x) π(p) dp with π = Beta(1, b) truncated to (p₀, 1), b = max(1, 1/(2p₀) − 1).
        var b = Math.Max(1, 1 / (2 * p0) - 1);
        const int Steps = 200_000;
        var h = (1 - p0) / Steps;
        double Integrand(double p) => p >= 1 ? 0 : Math.Exp(
            x * Math.Log(p / p0) + (n - x) * Math.Log((1 - p) / (1 - p0))
            + Math.Log(b) + (b - 1) * Math.Log(1 - p) - b * Math.Log(1 - p0));
        var sum = Integrand(p0) + Integrand(1);
        for (var i = 1; i < Steps; i++)
        {
            sum += (i % 2 == 1 ? 4 : 2) * Integrand(p0 + i * h);
        }

        var expected = Math.Log(sum * h / 3);
        Assert.Equal(expected, ExceedanceSequentialTest.LogMixtureRatio(n, x, p0), 1e-6);
    }

    [Fact]
    public void No_requests_is_no_evidence()
    {
        var result = ExceedanceSequentialTest.Exceeds(0, 0, 0.05, 0.99);
        Assert.False(result.Significant);
        Assert.Equal(0, result.Statistic, 1e-12);
        Assert.Equal(Math.Log(100), result.Threshold, 1e-9);
    }

    [Fact]
    public void More_exceedances_give_more_evidence()
    {
        var previous = double.NegativeInfinity;
        for (var x = 0; x <= 100; x++)
        {
            var statistic = ExceedanceSequentialTest.Exceeds(100, x, 0.05, 0.99).Statistic;
            Assert.True(statistic > previous);
            previous = statistic;
        }
    }

    [Fact]
    public void The_same_share_over_more_requests_becomes_significant()
    {
        // 12% of requests above a threshold that only 5% may exceed.
        var results = new[] { 25, 50, 100, 200, 400 }
            .Select(n => ExceedanceSequentialTest.Exceeds(n, n * 12 / 100, 0.05, 0.99))
            .ToArray();

        for (var i = 1; i < results.Length; i++)
        {
            Assert.True(results[i].Statistic > results[i - 1].Statistic);
        }

        Assert.False(results[0].Significant);
        Assert.True(results[^1].Significant);
    }

    [Fact]
    public void Half_the_requests_beyond_twice_the_baseline_p95_is_caught_within_twenty()
    {
        // A p95 rule whose canary doubled its latency for everyone: exact, so tiny samples are fine.
        Assert.True(ExceedanceSequentialTest.Exceeds(20, 10, 0.05, 0.99).Significant);
        Assert.False(ExceedanceSequentialTest.Exceeds(20, 3, 0.05, 0.99).Significant);
    }

    [Theory]
    [InlineData(1_000_000, 40_000)] // 4%: under the allowed 5%
    [InlineData(1_000_000, 50_000)] // exactly 5%
    [InlineData(10_000_000, 0)]
    public void A_share_at_or_under_the_allowed_fraction_is_never_significant(long n, long x)
    {
        var result = ExceedanceSequentialTest.Exceeds(n, x, 0.05, 0.99);
        Assert.False(result.Significant);
        Assert.True(double.IsFinite(result.Statistic));
    }

    [Fact]
    public void Huge_counts_stay_finite()
    {
        var result = ExceedanceSequentialTest.Exceeds(10_000_000, 600_000, 0.05, 0.99);
        Assert.True(result.Significant);
        Assert.True(double.IsFinite(result.Statistic));
    }

    [Theory]
    [InlineData(-1, 0, 0.05)]
    [InlineData(10, 11, 0.05)]
    [InlineData(10, -1, 0.05)]
    [InlineData(10, 1, 0.0)]
    [InlineData(10, 1, 1.0)]
    [InlineData(10, 1, double.NaN)]
    public void Invalid_arguments_are_refused(long n, long x, double p0) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ExceedanceSequentialTest.Exceeds(n, x, p0, 0.99));
}
