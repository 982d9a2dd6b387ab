namespace Rollgate.Rules;

/// <summary>Names and value semantics of <see cref="RuleMetric"/>.</summary>
public static class RuleMetricExtensions
{
    /// <summary>The name as written in the rule language, e.g. <c>p95_latency</c>; also the metric label and JSON value.</summary>
    public static string ToRuleText(this RuleMetric metric) => metric switch
    {
        RuleMetric.ErrorRate => "error_rate",
        RuleMetric.TaskCompletionRate => "task_completion_rate",
        RuleMetric.CostPerRequest => "cost_per_request",
        RuleMetric.TokensPerRequest => "tokens_per_request",
        RuleMetric.P50Latency => "p50_latency",
        RuleMetric.P95Latency => "p95_latency",
        RuleMetric.P99Latency => "p99_latency",
        RuleMetric.RequestRate => "request_rate",
        RuleMetric.ToolErrorRate => "tool_error_rate",
        RuleMetric.FallbackRate => "fallback_rate",
        RuleMetric.QualityScore => "quality_score",
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };

    /// <summary>Case-insensitive lookup of a metric name.</summary>
    public static bool TryParse(string? text, out RuleMetric metric)
    {
        foreach (var candidate in Enum.GetValues<RuleMetric>())
        {
            if (string.Equals(text, candidate.ToRuleText(), StringComparison.OrdinalIgnoreCase))
            {
                metric = candidate;
                return true;
            }
        }

        metric = default;
        return false;
    }

    /// <summary>
    /// True when a larger value means a worse version. <see cref="RuleMetric.TaskCompletionRate"/> and <see cref="RuleMetric.QualityScore"/> are better when higher;
    /// <see cref="RuleMetric.RequestRate"/> is a load figure with no inherent direction and reports false.
    /// </summary>
    public static bool HigherIsWorse(this RuleMetric metric) => metric switch
    {
        RuleMetric.TaskCompletionRate or RuleMetric.RequestRate or RuleMetric.QualityScore => false,
        _ => true,
    };

    /// <summary>Latency metrics are measured in milliseconds; thresholds need a unit (<c>300ms</c>, <c>2s</c>).</summary>
    public static bool IsLatency(this RuleMetric metric)
        => metric is RuleMetric.P50Latency or RuleMetric.P95Latency or RuleMetric.P99Latency;

    /// <summary>Rate metrics are fractions in [0, 1]; thresholds are a percentage or a plain fraction.</summary>
    public static bool IsRate(this RuleMetric metric)
        => metric is RuleMetric.ErrorRate or RuleMetric.TaskCompletionRate or RuleMetric.ToolErrorRate or RuleMetric.FallbackRate;
}
