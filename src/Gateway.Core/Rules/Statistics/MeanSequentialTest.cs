namespace Rollgate.Rules.Statistics;

/// <summary>
/// Always-valid test that a subject's mean per-request value (<c>cost_per_request</c>,
/// <c>tokens_per_request</c>) is above, or below, k times its baseline's: the one-sided normal-mixture
/// martingale on d = μ_s − k·μ_b with the Welch variance s_s²/n_s + k²·s_b²/n_b.
/// </summary>
/// <remarks>
/// Relies on the central limit theorem, so it assumes per-request values with a finite variance and
/// no single request dominating the sum. Right skew (a few expensive requests) ties the sample
/// variance to the sample mean, so a small sample that looks cheap also looks precise; the
/// score-style variance below guards against that (docs/confidence.md has the figures).
/// </remarks>
public static class MeanSequentialTest
{
    public const string Method = "mSPRT (one-sided normal mixture) on mean_s - k*mean_b";

    /// <summary>Smallest relative spread assumed, so identical values (sd 0) give a finite statistic.</summary>
    private const double RelativeSdFloor = 0.01;

    public static SequentialTestResult GreaterThanRatio(MeanSummary subject, MeanSummary baseline, double ratio, double confidence)
        => Run(subject, baseline, ratio, confidence, direction: 1);

    public static SequentialTestResult LessThanRatio(MeanSummary subject, MeanSummary baseline, double ratio, double confidence)
        => Run(subject, baseline, ratio, confidence, direction: -1);

    /// <summary>The Welch statistic direction·(x̄_s − k·x̄_b)/√V behind the test.</summary>
    internal static double ZStatistic(MeanSummary subject, MeanSummary baseline, double ratio, int direction)
    {
        var (effect, variance, _) = Estimate(subject, baseline, ratio, direction);
        return effect / Math.Sqrt(variance);
    }

    private static SequentialTestResult Run(MeanSummary subject, MeanSummary baseline, double ratio, double confidence, int direction)
    {
        Validate(subject, nameof(subject));
        Validate(baseline, nameof(baseline));
        if (!(ratio >= 0) || double.IsPositiveInfinity(ratio))
        {
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "Ratio must be a finite number ≥ 0.");
        }

        NormalMixture.ValidateConfidence(confidence);

        // A variance needs two values per side.
        if (subject.Count < 2 || baseline.Count < 2)
        {
            return new SequentialTestResult(false, 0, NormalMixture.Threshold(confidence), Method);
        }

        var (effect, variance, unitVariance) = Estimate(subject, baseline, ratio, direction);
        return NormalMixture.Test(effect, variance, unitVariance, confidence, Method);
    }

    private static (double Effect, double Variance, double UnitVariance) Estimate(
        MeanSummary subject, MeanSummary baseline, double ratio, int direction)
    {
        double xs = subject.Mean, xb = baseline.Mean;
        var effect = direction * (xs - ratio * xb);
        var scale = Math.Max(Math.Abs(xs), ratio * Math.Abs(xb));
        if (scale == 0)
        {
            return (0, 0, 0); // every value zero: nothing to test
        }

        var floor = RelativeSdFloor * RelativeSdFloor * scale * scale;
        var varS = Math.Max(subject.Variance, floor);
        var varB = Math.Max(baseline.Variance, floor);

        // Score-style guard, as for rates: refit the means under the null boundary μ_s = k·μ_b
        // (inverse-variance weighted) and rescale each variance to its null mean, assuming the
        // coefficient of variation stays put. Taking the larger variance stops a subject sample
        // that has not yet met its rare expensive requests from looking both cheap and precise.
        double ws = subject.Count / varS, wb = baseline.Count / varB;
        var nullB = (ratio * ws * xs + wb * xb) / (ratio * ratio * ws + wb);
        // The subject also gets at least the baseline's relative spread: with far more requests the
        // baseline's coefficient of variation is the steadier estimate of the shape both share.
        var nullS = ratio * nullB;
        varS = Math.Max(varS, Math.Max(Rescale(varS, xs, nullS), Rescale(varB, xb, nullS)));
        varB = Math.Max(varB, Rescale(varB, xb, nullB));

        var variance = varS / subject.Count + ratio * ratio * varB / baseline.Count;
        return (effect, variance, varS);
    }

    private static double Rescale(double variance, double mean, double nullMean) =>
        mean != 0 ? variance * (nullMean / mean) * (nullMean / mean) : 0;

    private static void Validate(MeanSummary summary, string name)
    {
        if (summary.Count < 0 || !double.IsFinite(summary.Sum) || !double.IsFinite(summary.SumOfSquares) || summary.SumOfSquares < 0)
        {
            throw new ArgumentOutOfRangeException(name, summary, "A summary needs a count ≥ 0 and finite sums.");
        }
    }
}
