namespace Rollgate.Rules;

/// <summary>The per-version figures a rule can watch (docs/rules.md). Use <see cref="RuleMetricExtensions.ToRuleText"/> for the wire name.</summary>
public enum RuleMetric
{
    ErrorRate,
    TaskCompletionRate,
    CostPerRequest,
    TokensPerRequest,
    P50Latency,
    P95Latency,
    P99Latency,
    RequestRate,
    /// <summary>The share of a version's tool calls that failed (a tool's backend fault, or its circuit open).</summary>
    ToolErrorRate,
    /// <summary>The share of requests a fallback model answered (managed agents).</summary>
    FallbackRate,
    /// <summary>The mean score (0 to 1) the agent's judge gave the version's sampled answers.</summary>
    QualityScore,
}
