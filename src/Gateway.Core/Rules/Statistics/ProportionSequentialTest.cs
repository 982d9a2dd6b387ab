namespace Rollgate.Rules.Statistics;

/// <summary>
/// Always-valid test that a subject's rate (errors, completed tasks) is above, or below, k times its
/// baseline's rate, safe to re-evaluate every second as counts grow. It runs the one-sided
/// normal-mixture martingale (<see cref="NormalMixture"/>) on the difference d = p_s − k·p_b, whose
/// variance is p_s(1 − p_s)/n_s + k²·p_b(1 − p_b)/n_b.
/// </summary>
/// <remarks>
/// The variance is the larger of two plug-ins: the score (Farrington–Manning) estimate, fitted under
/// the null boundary p_s = k·p_b, and the Wald estimate from the observed rates. At low rates the
/// binomial is skewed and each plug-in is optimistic in one tail; the larger is conservative in both.
/// A floor worth half an event keeps zero-event samples finite.
/// </remarks>
public static class ProportionSequentialTest
{
    public const string Method = "mSPRT (one-sided normal mixture) on p_s - k*p_b";

    /// <summary>
    /// Is the subject's rate greater than <paramref name="ratio"/> × the baseline's rate?
    /// For <c>error_rate &gt; 1.5x baseline with 99% confidence</c>: ratio 1.5, confidence 0.99.
    /// Counts are cumulative over whatever window the rule evaluates (since canary start keeps
    /// the guarantee exact; a trailing window is an approximation, see docs/confidence.md).
    /// </summary>
    public static SequentialTestResult GreaterThanRatio(
        long subjectN, long subjectEvents, long baselineN, long baselineEvents, double ratio, double confidence)
        => Run(subjectN, subjectEvents, baselineN, baselineEvents, ratio, confidence, direction: 1);

    /// <summary>
    /// Is the subject's rate less than <paramref name="ratio"/> × the baseline's rate? For
    /// <c>task_completion_rate &lt; 0.9x baseline</c>: events are completed tasks, ratio 0.9.
    /// </summary>
    public static SequentialTestResult LessThanRatio(
        long subjectN, long subjectEvents, long baselineN, long baselineEvents, double ratio, double confidence)
        => Run(subjectN, subjectEvents, baselineN, baselineEvents, ratio, confidence, direction: -1);

    /// <summary>
    /// The standardized difference z = direction·(p̂_s − k·p̂_b)/√V behind the test. With k = 1 and the
    /// score variance the larger, this is the textbook pooled two-proportion z.
    /// </summary>
    internal static double ZStatistic(
        long subjectN, long subjectEvents, long baselineN, long baselineEvents, double ratio, int direction)
    {
        var (effect, variance, _) = Estimate(subjectN, subjectEvents, baselineN, baselineEvents, ratio, direction);
        return effect / Math.Sqrt(variance);
    }

    private static SequentialTestResult Run(
        long subjectN, long subjectEvents, long baselineN, long baselineEvents, double ratio, double confidence, int direction)
    {
        ValidateCounts(subjectN, subjectEvents, nameof(subjectN), nameof(subjectEvents));
        ValidateCounts(baselineN, baselineEvents, nameof(baselineN), nameof(baselineEvents));
        if (!(ratio >= 0) || double.IsPositiveInfinity(ratio))
        {
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "Ratio must be a finite number ≥ 0.");
        }

        NormalMixture.ValidateConfidence(confidence);
        if (subjectN == 0 || baselineN == 0)
        {
            return new SequentialTestResult(false, 0, NormalMixture.Threshold(confidence), Method);
        }

        var (effect, variance, unitVariance) = Estimate(subjectN, subjectEvents, baselineN, baselineEvents, ratio, direction);
        return NormalMixture.Test(effect, variance, unitVariance, confidence, Method);
    }

    private static (double Effect, double Variance, double UnitVariance) Estimate(
        long subjectN, long subjectEvents, long baselineN, long baselineEvents, double ratio, int direction)
    {
        double ns = subjectN, nb = baselineN;
        var ps = subjectEvents / ns;
        var pb = baselineEvents / nb;
        var effect = direction * (ps - ratio * pb);

        var restrictedB = RestrictedBaselineRate(ns, subjectEvents, nb, baselineEvents, ratio);
        var restrictedS = Math.Min(1, ratio * restrictedB);

        var k2 = ratio * ratio;
        double floorS = Floor(ns), floorB = Floor(nb);
        var scoreS = Math.Max(Bernoulli(restrictedS), floorS);
        var scoreB = Math.Max(Bernoulli(restrictedB), floorB);
        var waldS = Math.Max(Bernoulli(ps), floorS);
        var waldB = Math.Max(Bernoulli(pb), floorB);
        var score = scoreS / ns + k2 * scoreB / nb;
        var wald = waldS / ns + k2 * waldB / nb;
        return score >= wald ? (effect, score, scoreS) : (effect, wald, waldS);
    }

    /// <summary>
    /// Maximum-likelihood baseline rate under p_s = k·p_b (Farrington &amp; Manning 1990): the smaller
    /// root of N·k·p² − (n_s·k + x_s + n_b + x_b·k)·p + (x_s + x_b) = 0. With k = 1 it is the pooled rate.
    /// </summary>
    private static double RestrictedBaselineRate(double ns, double xs, double nb, double xb, double k)
    {
        if (k == 0)
        {
            return xb / nb;
        }

        var c = xs + xb;
        if (c == 0)
        {
            return 0;
        }

        var a = (ns + nb) * k;
        var b = -(ns * k + xs + nb + xb * k);
        var discriminant = Math.Max(0, b * b - 4 * a * c);

        // 2c / (−b + √Δ) is the smaller root without cancellation.
        var p = 2 * c / (-b + Math.Sqrt(discriminant));
        return Math.Clamp(p, 0, Math.Min(1, 1 / k));
    }

    private static double Bernoulli(double p) => p * (1 - p);

    /// <summary>Variance of a rate worth half an event in n: keeps 0/n and n/n from giving V = 0.</summary>
    private static double Floor(double n)
    {
        var q = 0.5 / (n + 1);
        return q * (1 - q);
    }

    private static void ValidateCounts(long n, long events, string nName, string eventsName)
    {
        if (n < 0)
        {
            throw new ArgumentOutOfRangeException(nName, n, "Request count must be ≥ 0.");
        }

        if (events < 0 || events > n)
        {
            throw new ArgumentOutOfRangeException(eventsName, events, $"Event count must be between 0 and the request count ({n}).");
        }
    }
}
