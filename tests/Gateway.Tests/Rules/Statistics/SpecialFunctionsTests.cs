using Rollgate.Rules.Statistics;

namespace Rollgate.Tests.Rules.Statistics;

public sealed class SpecialFunctionsTests
{
    [Theory]
    [InlineData(0.5, 0.5723649429247001)] // ln √π
    [InlineData(1.0, 0.0)]
    [InlineData(10.0, 12.801827480081469)] // ln 9!
    [InlineData(171.0, 706.5730622457874)] // ln 170!
    public void LogGamma_matches_tabulated_values(double x, double expected) =>
        Assert.Equal(expected, SpecialFunctions.LogGamma(x), 1e-10);

    [Theory]
    [InlineData(0.5, 2.0, 3.0, 0.6875)] // (C(4,2) + C(4,3) + C(4,4)) / 16
    [InlineData(0.3, 1.0, 1.0, 0.3)] // uniform
    [InlineData(0.2, 1.0, 4.0, 0.5904)] // 1 − 0.8⁴
    [InlineData(0.9, 3.0, 2.0, 0.9477)] // 4·0.9³ − 3·0.9⁴
    public void IncompleteBeta_matches_closed_forms(double x, double a, double b, double expected) =>
        Assert.Equal(expected, Math.Exp(SpecialFunctions.LogRegularizedIncompleteBeta(x, a, b)), 1e-10);

    [Theory]
    [InlineData(100, 0.05, 30)]
    [InlineData(5000, 0.05, 400)]
    [InlineData(60, 0.5, 20)]
    public void IncompleteBeta_equals_binomial_upper_tail_even_when_tiny(int n, double p, int k)
    {
        // I_p(k, n − k + 1) = P(Binomial(n, p) ≥ k); the tail is summed here in log space term by term.
        var logPmf = n * Math.Log(1 - p);
        var logTerms = new List<double>();
        for (var j = 0; j <= n; j++)
        {
            if (j >= k)
            {
                logTerms.Add(logPmf);
            }

            logPmf += Math.Log((double)(n - j) / (j + 1)) + Math.Log(p / (1 - p));
        }

        var max = logTerms.Max();
        var expected = max + Math.Log(logTerms.Sum(t => Math.Exp(t - max)));
        var actual = SpecialFunctions.LogRegularizedIncompleteBeta(p, k, n - k + 1);
        Assert.Equal(expected, actual, Math.Max(1e-9, Math.Abs(expected) * 1e-10));
    }

    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(1.959963984540054, 0.975)]
    [InlineData(-3.0, 0.0013498980316300957)]
    [InlineData(2.326347874040841, 0.99)]
    public void NormalCdf_matches_tables(double x, double expected) =>
        Assert.Equal(expected, SpecialFunctions.NormalCdf(x), expected * 2e-7);

    [Fact]
    public void LogNormalCdf_is_accurate_where_the_cdf_underflows()
    {
        Assert.Equal(-53.23128515051246, SpecialFunctions.LogNormalCdf(-10), 1e-6);
        Assert.True(double.IsFinite(SpecialFunctions.LogNormalCdf(-40)));
        Assert.Equal(0, SpecialFunctions.LogNormalCdf(40), 1e-12);
    }
}
