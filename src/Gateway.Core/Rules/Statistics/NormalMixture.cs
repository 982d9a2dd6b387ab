namespace Rollgate.Rules.Statistics;

/// <summary>
/// The one-sided normal-mixture martingale (mSPRT; Robbins 1970, Johari et al. 2017, Howard et al.
/// 2021 Prop. 6) for an estimate θ̂ ~ N(θ, V) of an effect: the likelihood ratio of θ against the
/// null boundary θ = 0, averaged over a half-normal prior θ ~ N⁺(0, τ²). Under any θ ≤ 0 it is a
/// nonnegative supermartingale, so by Ville's inequality it exceeds 1/α at <em>any</em> time with
/// probability ≤ α; that is what makes checking it every second safe.
/// </summary>
internal static class NormalMixture
{
    /// <summary>
    /// Size of the prior on the standardized effect: τ² = σ²/<see cref="MixingSampleSize"/>, where σ²
    /// is the per-request variance. Any fixed value keeps the test valid; this one only decides where
    /// it is most powerful (ρ = τ²/V ≈ 10, the optimum for α near 1%, at ~100–300 requests).
    /// </summary>
    public const double MixingSampleSize = 16;

    /// <summary>
    /// ln M for a standardized statistic z = θ̂/√V and precision ratio r = τ²/V:
    /// ln M = −½ ln(1 + r) + z²r / (2(1 + r)) + ln 2Φ(z·√(r/(1 + r))).
    /// </summary>
    public static double LogOneSided(double z, double r)
    {
        if (!(r > 0) || double.IsNaN(z))
        {
            return 0;
        }

        var shrink = r / (1 + r);
        return -0.5 * Math.Log(1 + r) + 0.5 * z * z * shrink
            + Math.Log(2) + SpecialFunctions.LogNormalCdf(z * Math.Sqrt(shrink));
    }

    /// <summary>
    /// Evaluates the mixture for an estimate <paramref name="effect"/> with variance
    /// <paramref name="variance"/>, when one request of the subject carries variance
    /// <paramref name="unitVariance"/> (which sets τ²).
    /// </summary>
    public static SequentialTestResult Test(double effect, double variance, double unitVariance, double confidence, string method)
    {
        var threshold = Threshold(confidence);
        if (!(variance > 0) || !double.IsFinite(effect) || !double.IsFinite(variance))
        {
            return new SequentialTestResult(false, 0, threshold, method);
        }

        var z = effect / Math.Sqrt(variance);
        var r = unitVariance / MixingSampleSize / variance;
        var statistic = LogOneSided(z, r);
        return new SequentialTestResult(effect > 0 && statistic >= threshold, statistic, threshold, method);
    }

    /// <summary>ln(1/α) for α = 1 − confidence: the level ln M must reach.</summary>
    public static double Threshold(double confidence) => -Math.Log(1 - confidence);

    /// <summary>Rejects confidences outside (0, 1) and non-finite values up front.</summary>
    public static void ValidateConfidence(double confidence)
    {
        if (!(confidence > 0 && confidence < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "Confidence must be strictly between 0 and 1 (e.g. 0.99).");
        }
    }
}
