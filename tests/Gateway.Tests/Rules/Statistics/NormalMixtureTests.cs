using Rollgate.Rules.Statistics;

namespace Rollgate.Tests.Rules.Statistics;

public sealed class NormalMixtureTests
{
    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(3.0, 10.0)]
    [InlineData(-2.0, 5.0)]
    [InlineData(5.0, 0.5)]
    [InlineData(4.2, 40.0)]
    public void Closed_form_equals_the_half_normal_mixture_integral(double z, double r)
    {
        // With V = 1: M = ∫₀^∞ exp(θz − θ²/2) · 2·N(θ; 0, r) dθ, integrated by Simpson's rule.
        const int Steps = 20_000;
        var upper = 12 * Math.Sqrt(r) + Math.Abs(z) + 12;
        var h = upper / Steps;
        double Integrand(double theta) =>
            Math.Exp(theta * z - theta * theta / 2) * 2 * Math.Exp(-theta * theta / (2 * r)) / Math.Sqrt(2 * Math.PI * r);
        var sum = Integrand(0) + Integrand(upper);
        for (var i = 1; i < Steps; i++)
        {
            sum += (i % 2 == 1 ? 4 : 2) * Integrand(i * h);
        }

        var expected = Math.Log(sum * h / 3);
        Assert.Equal(expected, NormalMixture.LogOneSided(z, r), 1e-6);
    }

    [Fact]
    public void No_information_means_no_evidence() => Assert.Equal(0, NormalMixture.LogOneSided(3, 0));

    [Fact]
    public void Statistic_grows_with_z()
    {
        var previous = double.NegativeInfinity;
        for (var z = -6.0; z <= 8; z += 0.25)
        {
            var current = NormalMixture.LogOneSided(z, 10);
            Assert.True(current > previous);
            previous = current;
        }
    }

    [Theory]
    [InlineData(0.99, 4.605170185988091)]
    [InlineData(0.95, 2.995732273553991)]
    public void Threshold_is_log_one_over_alpha(double confidence, double expected) =>
        Assert.Equal(expected, NormalMixture.Threshold(confidence), 1e-9);

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(99.0)]
    [InlineData(double.NaN)]
    public void Confidence_outside_the_unit_interval_is_refused(double confidence) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => NormalMixture.ValidateConfidence(confidence));
}
