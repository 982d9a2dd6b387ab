namespace Rollgate.Rules;

/// <summary>
/// A parsed rule (docs/rules.md). Values are normalised: rate thresholds and percentages are fractions (15% → 0.15),
/// latency thresholds are milliseconds, <see cref="Confidence"/> is a fraction (99% → 0.99) or null when not requested.
/// <see cref="Text"/> is the rule exactly as written, which is what operators see in labels, history and errors.
/// </summary>
public sealed record Rule(
    string Text,
    RuleAction Action,
    RuleMetric Metric,
    RuleCondition Condition,
    TimeSpan Over,
    TimeSpan For,
    int MinRequests,
    double? Confidence)
{
    public static readonly TimeSpan DefaultOver = TimeSpan.FromMinutes(1);

    public static readonly TimeSpan DefaultFor = TimeSpan.Zero;

    public const int DefaultMinRequests = 20;

    /// <summary>
    /// <c>against previous D</c>: the baseline is the same version's own figures over the <c>D</c> before the window,
    /// not another version's (drift); null for the usual baseline.
    /// </summary>
    public TimeSpan? AgainstPrevious { get; init; }

    /// <summary>How far back the rule reads figures: its window, plus the earlier one it is compared with under <see cref="AgainstPrevious"/>.</summary>
    public TimeSpan Reach => Over + (AgainstPrevious ?? TimeSpan.Zero);

    /// <summary>True when the condition needs a baseline (<c>Nx baseline</c>, <c>drops by</c>, <c>rises by</c>).</summary>
    public bool IsRelative => Condition.IsRelative;

    /// <summary>The normalised rule with every clause spelled out, e.g. for logs: <c>rollback when error_rate &gt; 15% over 1m for 2m min 20 requests</c>.</summary>
    public string Describe() => RuleFormatter.Format(this);
}
