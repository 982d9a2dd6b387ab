using System.Globalization;
using System.Text;

namespace Rollgate.Rules;

/// <summary>Renders a <see cref="Rule"/> back into the rule language in normalised form; the output parses back to an equivalent rule.</summary>
internal static class RuleFormatter
{
    public static string Format(Rule rule)
    {
        var builder = new StringBuilder()
            .Append(rule.Action.ToRuleText())
            .Append(" when ")
            .Append(rule.Metric.ToRuleText())
            .Append(' ')
            .Append(FormatCondition(rule.Metric, rule.Condition))
            .Append(rule.AgainstPrevious is { } previous ? " against previous " + RuleDuration.Format(previous) : "")
            .Append(" over ").Append(RuleDuration.Format(rule.Over))
            .Append(" for ").Append(RuleDuration.Format(rule.For))
            .Append(" min ").Append(rule.MinRequests.ToString(CultureInfo.InvariantCulture)).Append(" requests");

        if (rule.Confidence is { } confidence)
        {
            builder.Append(" with ").Append(FormatPercent(confidence)).Append(" confidence");
        }

        return builder.ToString();
    }

    private static string FormatCondition(RuleMetric metric, RuleCondition condition) => condition switch
    {
        ThresholdCondition threshold => $"{threshold.Comparator.ToSymbol()} {FormatThreshold(metric, threshold.Threshold)}",
        BaselineRatioCondition ratio => $"{ratio.Comparator.ToSymbol()} {FormatNumber(ratio.Factor)}x baseline",
        RelativeChangeCondition change => $"{(change.Direction == ChangeDirection.Drops ? "drops" : "rises")} by {FormatPercent(change.Fraction)}",
        _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, null),
    };

    private static string FormatThreshold(RuleMetric metric, double threshold)
    {
        if (metric.IsRate())
        {
            return FormatPercent(threshold);
        }

        if (metric.IsLatency())
        {
            return threshold >= 1000 && threshold % 1000 == 0 ? FormatNumber(threshold / 1000) + "s" : FormatNumber(threshold) + "ms";
        }

        return FormatNumber(threshold);
    }

    // Rounding hides the last-bit error of fraction × 100 (0.07 × 100 = 7.000000000000001) without losing any digit a user typed.
    private static string FormatPercent(double fraction) => FormatNumber(Math.Round(fraction * 100, 9)) + "%";

    private static string FormatNumber(double value)
    {
        // "R" is the shortest round-trippable form, but it switches to exponent notation, which the grammar cannot read back.
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('E')
            ? value.ToString("F20", CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.')
            : text;
    }
}
