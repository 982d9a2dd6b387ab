namespace Rollgate.Rules.Statistics;

/// <summary>
/// Always-valid test that more than a given fraction of requests exceed a threshold. This is how the
/// skewed metrics are tested: <c>p95_latency &gt; 2x baseline</c> holds exactly when more than 5% of the
/// subject's requests are slower than 2 × the baseline's p95, so the question becomes a count of
/// exceedances, which needs no assumption about the shape of the latency distribution.
/// </summary>
/// <remarks>
/// Exact, not asymptotic: the statistic is the binomial likelihood ratio of p against the allowed
/// fraction p₀, mixed over a Beta(1, b) prior truncated to p &gt; p₀. Every mixture component is a
/// supermartingale for any true p ≤ p₀, so Ville's inequality bounds the false-positive rate by α at
/// all times, even with counts of 0 or 1 (cf. Robbins 1970; Howard et al. 2021, §3).
/// </remarks>
public static class ExceedanceSequentialTest
{
    public const string Method = "beta-binomial mixture SPRT on exceedance fraction";

    /// <summary>
    /// Is the true fraction of requests beyond the threshold greater than
    /// <paramref name="allowedFraction"/>? For the mirrored rule (<c>p50_latency &lt; 0.5x baseline</c>) pass
    /// the count at or below the threshold and the quantile's level (0.5).
    /// </summary>
    /// <param name="n">Requests observed (cumulative over the rule's window).</param>
    /// <param name="exceedances">How many of them exceeded the threshold.</param>
    /// <param name="allowedFraction">p₀, strictly between 0 and 1 (0.05 for a p95 rule).</param>
    /// <param name="confidence">e.g. 0.99.</param>
    public static SequentialTestResult Exceeds(long n, long exceedances, double allowedFraction, double confidence)
    {
        if (n < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "Request count must be ≥ 0.");
        }

        if (exceedances < 0 || exceedances > n)
        {
            throw new ArgumentOutOfRangeException(nameof(exceedances), exceedances, $"Exceedances must be between 0 and the request count ({n}).");
        }

        if (!(allowedFraction > 0 && allowedFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(allowedFraction), allowedFraction, "Allowed fraction must be strictly between 0 and 1.");
        }

        NormalMixture.ValidateConfidence(confidence);
        var threshold = NormalMixture.Threshold(confidence);
        var statistic = LogMixtureRatio(n, exceedances, allowedFraction);
        var significant = exceedances > allowedFraction * n && statistic >= threshold;
        return new SequentialTestResult(significant, statistic, threshold, Method);
    }

    /// <summary>
    /// ln of ∫ L(p)/L(p₀) dπ(p), π = Beta(1, b) truncated to (p₀, 1); in closed form
    /// ln[B(x+1, n−x+b)·(1 − I_p₀(x+1, n−x+b))] − ln[B(1, b)·(1 − I_p₀(1, b))] − x ln p₀ − (n−x) ln(1−p₀).
    /// </summary>
    internal static double LogMixtureRatio(long n, long x, double p0)
    {
        var b = PriorB(p0);
        double a1 = x + 1, b1 = n - x + b;

        // 1 − I_p₀(a, b) = I_{1−p₀}(b, a), in log space: it underflows when x is well below n·p₀.
        var posterior = SpecialFunctions.LogBeta(a1, b1) + SpecialFunctions.LogRegularizedIncompleteBeta(1 - p0, b1, a1);
        var prior = SpecialFunctions.LogBeta(1, b) + b * Math.Log(1 - p0);
        var statistic = posterior - prior - x * Math.Log(p0) - (n - x) * Math.Log(1 - p0);
        return double.IsFinite(statistic) ? statistic : double.MinValue;
    }

    /// <summary>
    /// Prior Beta(1, b) with mean 2·p₀ (uniform for p₀ ≥ 1/4): most weight on violations a few times
    /// the allowed fraction, which is where a canary should be caught quickly.
    /// </summary>
    private static double PriorB(double p0) => Math.Max(1, 1 / (2 * p0) - 1);
}
