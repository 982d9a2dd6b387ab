using Rollgate.Rules;
using Rollgate.Rules.Statistics;

namespace Rollgate.Signals;

/// <summary>
/// The additive aggregate of a set of requests of one version: counts, latency histogram, cost and token sums (with
/// sums of squares for mean tests) and task outcomes. Summaries of seconds sum to the summary of a window.
/// </summary>
/// <remarks>
/// A mutable accumulator, not thread-safe: <see cref="Add(FigureSummary)"/> adds in place, <c>+</c> returns a new one.
/// Stores hand out fresh instances, so a reader may keep or change what it got.
/// Derived figures are null when undefined (no requests; no outcomes for <see cref="TaskCompletionRate"/>).
/// </remarks>
public sealed class FigureSummary
{
    public long Requests { get; set; }

    /// <summary>Requests answered with 5xx or failed in transport.</summary>
    public long Errors { get; set; }

    /// <summary>Time to the last byte, per request.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Sum of the cost of every request in USD (a request without cost counts 0).</summary>
    public double CostUsd { get; set; }

    /// <summary>Sum of the squares of the per-request cost.</summary>
    public double CostUsdSquares { get; set; }

    public long InputTokens { get; set; }

    public long OutputTokens { get; set; }

    /// <summary>Sum over requests of (input + output tokens)².</summary>
    public double TokensSquares { get; set; }

    /// <summary>Task outcomes reported as completed (in the response or later through the ledger).</summary>
    public long Completed { get; set; }

    public long Failed { get; set; }

    /// <summary>Calls this version's agent made through the gateway to its tools (client aborts excluded).</summary>
    public long ToolCalls { get; set; }

    /// <summary>Tool calls that failed: a backend fault of the tool, or refused because its circuit was open.</summary>
    public long ToolFailures { get; set; }

    /// <summary>Requests a fallback model answered because the version's own model failed (managed agents).</summary>
    public long Fallbacks { get; set; }

    /// <summary>Judge scores (0 to 1) of this version's sampled answers: how many, their sum and the sum of their squares.</summary>
    public long QualityCount { get; set; }

    public double QualitySum { get; set; }

    public double QualitySquares { get; set; }

    public long Tokens => InputTokens + OutputTokens;

    public long Outcomes => Completed + Failed;

    public bool IsEmpty => Requests == 0 && Outcomes == 0 && Errors == 0 && ToolCalls == 0 && Fallbacks == 0 && QualityCount == 0 && Latency.IsEmpty;

    public double? ErrorRate => Requests > 0 ? (double)Errors / Requests : null;

    public double? FallbackRate => Requests > 0 ? (double)Fallbacks / Requests : null;

    public double? TaskCompletionRate => Outcomes > 0 ? (double)Completed / Outcomes : null;

    public double? ToolErrorRate => ToolCalls > 0 ? (double)ToolFailures / ToolCalls : null;

    public double? CostPerRequest => Requests > 0 ? CostUsd / Requests : null;

    public double? TokensPerRequest => Requests > 0 ? (double)Tokens / Requests : null;

    /// <summary>The mean judge score; null when no answer was scored.</summary>
    public double? QualityScore => QualityCount > 0 ? QualitySum / QualityCount : null;

    public double? P50Ms => Latency.Quantile(0.50);

    public double? P95Ms => Latency.Quantile(0.95);

    public double? P99Ms => Latency.Quantile(0.99);

    /// <summary>Per-request cost as count/sum/sum of squares for <c>MeanSequentialTest</c>.</summary>
    public MeanSummary CostSummary => new(Requests, CostUsd, CostUsdSquares);

    /// <summary>Per-request tokens (input + output) as count/sum/sum of squares.</summary>
    public MeanSummary TokensSummary => new(Requests, Tokens, TokensSquares);

    /// <summary>Judge scores as count/sum/sum of squares.</summary>
    public MeanSummary QualitySummary => new(QualityCount, QualitySum, QualitySquares);

    /// <summary>Latency quantile in milliseconds, null without requests.</summary>
    public double? Quantile(double q) => Latency.Quantile(q);

    /// <summary>Requests per second over a window of the given length.</summary>
    public double RequestRate(TimeSpan window) => window > TimeSpan.Zero ? Requests / window.TotalSeconds : 0;

    /// <summary>The value a rule compares (rates as fractions, latencies in ms); null when undefined.</summary>
    public double? Value(RuleMetric metric, TimeSpan window) => metric switch
    {
        RuleMetric.ErrorRate => ErrorRate,
        RuleMetric.TaskCompletionRate => TaskCompletionRate,
        RuleMetric.CostPerRequest => CostPerRequest,
        RuleMetric.TokensPerRequest => TokensPerRequest,
        RuleMetric.P50Latency => P50Ms,
        RuleMetric.P95Latency => P95Ms,
        RuleMetric.P99Latency => P99Ms,
        RuleMetric.RequestRate => RequestRate(window),
        RuleMetric.ToolErrorRate => ToolErrorRate,
        RuleMetric.FallbackRate => FallbackRate,
        RuleMetric.QualityScore => QualityScore,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };

    /// <summary>The number of observations a metric's value rests on: requests, outcomes for the completion rate, tool calls for the tool error rate.</summary>
    public long SampleSize(RuleMetric metric) => metric switch
    {
        RuleMetric.TaskCompletionRate => Outcomes,
        RuleMetric.ToolErrorRate => ToolCalls,
        RuleMetric.QualityScore => QualityCount,
        _ => Requests,
    };

    /// <summary>Adds one request (single-threaded; the data path uses <see cref="VersionSignals.Record"/>).</summary>
    public FigureSummary Record(in RequestSignal signal)
    {
        Requests++;
        if (signal.Error)
        {
            Errors++;
        }

        if (signal.Fallback)
        {
            Fallbacks++;
        }

        Latency.Record(signal.LatencyMs);
        var cost = SignalValues.Cost(signal.CostUsd);
        CostUsd += cost;
        CostUsdSquares += cost * cost;
        var input = SignalValues.Tokens(signal.InputTokens);
        var output = SignalValues.Tokens(signal.OutputTokens);
        InputTokens += input;
        OutputTokens += output;
        TokensSquares += (double)(input + output) * (input + output);
        return RecordOutcome(signal.Outcome);
    }

    /// <summary>Adds one task outcome (None is ignored).</summary>
    public FigureSummary RecordOutcome(TaskOutcome outcome)
    {
        if (outcome == TaskOutcome.Completed)
        {
            Completed++;
        }
        else if (outcome == TaskOutcome.Failed)
        {
            Failed++;
        }

        return this;
    }

    /// <summary>Adds one tool call of this version's agent.</summary>
    public FigureSummary RecordToolCall(bool failed)
    {
        ToolCalls++;
        if (failed)
        {
            ToolFailures++;
        }

        return this;
    }

    /// <summary>Adds one judge score.</summary>
    public FigureSummary RecordQuality(double score)
    {
        QualityCount++;
        QualitySum += score;
        QualitySquares += score * score;
        return this;
    }

    /// <summary>Adds <paramref name="other"/> into this summary and returns this.</summary>
    public FigureSummary Add(FigureSummary other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Requests += other.Requests;
        Errors += other.Errors;
        Latency.Add(other.Latency);
        CostUsd += other.CostUsd;
        CostUsdSquares += other.CostUsdSquares;
        InputTokens += other.InputTokens;
        OutputTokens += other.OutputTokens;
        TokensSquares += other.TokensSquares;
        Completed += other.Completed;
        Failed += other.Failed;
        ToolCalls += other.ToolCalls;
        ToolFailures += other.ToolFailures;
        Fallbacks += other.Fallbacks;
        QualityCount += other.QualityCount;
        QualitySum += other.QualitySum;
        QualitySquares += other.QualitySquares;
        return this;
    }

    public FigureSummary Clone() => new FigureSummary().Add(this);

    public static FigureSummary operator +(FigureSummary left, FigureSummary right) => left.Clone().Add(right);

    /// <summary>Sums summaries into a new one.</summary>
    public static FigureSummary Sum(IEnumerable<FigureSummary> summaries)
    {
        var sum = new FigureSummary();
        foreach (var summary in summaries)
        {
            sum.Add(summary);
        }

        return sum;
    }

    public override string ToString()
        => $"requests={Requests} errors={Errors} p50={P50Ms:F1}ms p95={P95Ms:F1}ms p99={P99Ms:F1}ms cost={CostUsd:G6} " +
           $"tokens={InputTokens}+{OutputTokens} completed={Completed} failed={Failed} tools={ToolFailures}/{ToolCalls} fallbacks={Fallbacks} quality={QualityScore:F3}/{QualityCount}";
}

/// <summary>How raw signal values are sanitised before they are counted.</summary>
internal static class SignalValues
{
    /// <summary>Negative, NaN or infinite costs (a bad header) count as 0.</summary>
    public static double Cost(double costUsd) => double.IsFinite(costUsd) && costUsd > 0 ? costUsd : 0;

    /// <summary>Negative counts as 0; more than 100 M tokens in one request (a bad usage object) is capped, which also
    /// keeps the per-second sum of squares far from overflowing a long.</summary>
    public static long Tokens(long tokens) => Math.Clamp(tokens, 0, MaxTokensPerRequest);

    public const long MaxTokensPerRequest = 100_000_000;
}
