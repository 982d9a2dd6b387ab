using Rollgate.Rules.Statistics;
using Rollgate.Signals;

namespace Rollgate.Rules.Evaluation;

/// <summary>
/// Decides whether a rule's condition holds for a subject's figures against a baseline's (docs/rules.md):
/// <c>min</c> requests on both sides (else insufficient data), the condition, and for <c>with N% confidence</c>
/// an always-valid sequential test that must agree.
/// </summary>
public static class RuleAssessor
{
    public static RuleVerdict Assess(Rule rule, FigureSummary subject, FigureSummary? baseline)
    {
        var metric = rule.Metric;
        var subjectN = subject.SampleSize(metric);
        var baselineN = baseline?.SampleSize(metric) ?? 0;
        var value = subject.Value(metric, rule.Over);
        var baselineValue = baseline?.Value(metric, rule.Over);
        if (subjectN < rule.MinRequests || value is null
            || (rule.IsRelative && (baseline is null || baselineN < rule.MinRequests || baselineValue is null)))
        {
            return new RuleVerdict(Verdict.InsufficientData, value, baselineValue, subjectN, baselineN, null);
        }

        var (holds, greater, reference) = rule.Condition switch
        {
            ThresholdCondition t => (t.Comparator.Evaluate(value.Value, t.Threshold), IsGreater(t.Comparator), t.Threshold),
            BaselineRatioCondition r => (r.Comparator.Evaluate(value.Value, r.Factor * baselineValue!.Value), IsGreater(r.Comparator), r.Factor * baselineValue.Value),
            RelativeChangeCondition { Direction: ChangeDirection.Rises } c => (value.Value > baselineValue!.Value * (1 + c.Fraction), true, baselineValue.Value * (1 + c.Fraction)),
            RelativeChangeCondition c => (value.Value < baselineValue!.Value * (1 - c.Fraction), false, baselineValue!.Value * (1 - c.Fraction)),
            _ => throw new ArgumentOutOfRangeException(nameof(rule), rule.Condition, "unknown condition"),
        };

        SequentialTestResult? test = null;
        if (holds && rule.Confidence is { } confidence)
        {
            test = Test(rule, subject, baseline, greater, reference, confidence);
            holds = test?.Significant ?? true;
        }

        return new RuleVerdict(holds ? Verdict.Holds : Verdict.Clear, value, baselineValue, subjectN, baselineN, test);
    }

    private static bool IsGreater(Comparator comparator) => comparator is Comparator.GreaterThan or Comparator.GreaterOrEqual;

    /// <summary>The sequential test that matches the metric; see docs/confidence.md for the methods and assumptions.</summary>
    private static SequentialTestResult? Test(Rule rule, FigureSummary subject, FigureSummary? baseline, bool greater, double reference, double confidence)
    {
        var metric = rule.Metric;
        if (metric.IsRate())
        {
            var (n, events) = RateCounts(metric, subject);
            if (rule.IsRelative)
            {
                var (bn, bevents) = RateCounts(metric, baseline!);
                var ratio = Ratio(rule.Condition);
                return greater
                    ? ProportionSequentialTest.GreaterThanRatio(n, events, bn, bevents, ratio, confidence)
                    : ProportionSequentialTest.LessThanRatio(n, events, bn, bevents, ratio, confidence);
            }

            // One sample against a fixed rate: "more than p" directly, "less than p" as more than 1-p of the complement.
            var p = Math.Clamp(reference, 0, 1);
            return greater
                ? ExceedanceSequentialTest.Exceeds(n, events, p, confidence)
                : ExceedanceSequentialTest.Exceeds(n, n - events, 1 - p, confidence);
        }

        if (metric.IsLatency())
        {
            // pX above L means more than (1-X) of requests above L: an exact count test, no distribution assumed.
            var q = metric switch { RuleMetric.P50Latency => 0.50, RuleMetric.P95Latency => 0.95, _ => 0.99 };
            return greater
                ? ExceedanceSequentialTest.Exceeds(subject.Requests, subject.Latency.CountAbove(reference), 1 - q, confidence)
                : ExceedanceSequentialTest.Exceeds(subject.Requests, subject.Latency.CountAtOrBelow(reference), q, confidence);
        }

        if (metric is RuleMetric.CostPerRequest or RuleMetric.TokensPerRequest or RuleMetric.QualityScore)
        {
            var subjectMean = MeanOf(metric, subject);
            MeanSummary baselineMean;
            double ratio;
            if (rule.IsRelative)
            {
                baselineMean = MeanOf(metric, baseline!);
                ratio = Ratio(rule.Condition);
            }
            else
            {
                // A fixed threshold is a baseline with no variance: many identical observations of that value.
                const long constantCount = 1_000_000_000;
                baselineMean = new MeanSummary(constantCount, reference * constantCount, reference * reference * constantCount);
                ratio = 1;
            }

            return greater
                ? MeanSequentialTest.GreaterThanRatio(subjectMean, baselineMean, ratio, confidence)
                : MeanSequentialTest.LessThanRatio(subjectMean, baselineMean, ratio, confidence);
        }

        return null; // request_rate: a count, not a sample; the condition alone decides.
    }

    private static MeanSummary MeanOf(RuleMetric metric, FigureSummary figures) => metric switch
    {
        RuleMetric.CostPerRequest => figures.CostSummary,
        RuleMetric.TokensPerRequest => figures.TokensSummary,
        _ => figures.QualitySummary,
    };

    private static (long N, long Events) RateCounts(RuleMetric metric, FigureSummary figures)
        => metric switch
        {
            RuleMetric.ErrorRate => (figures.Requests, figures.Errors),
            RuleMetric.ToolErrorRate => (figures.ToolCalls, figures.ToolFailures),
            RuleMetric.FallbackRate => (figures.Requests, figures.Fallbacks),
            _ => (figures.Completed + figures.Failed, figures.Completed),
        };

    private static double Ratio(RuleCondition condition) => condition switch
    {
        BaselineRatioCondition r => r.Factor,
        RelativeChangeCondition { Direction: ChangeDirection.Rises } c => 1 + c.Fraction,
        RelativeChangeCondition c => 1 - c.Fraction,
        _ => 1,
    };
}
