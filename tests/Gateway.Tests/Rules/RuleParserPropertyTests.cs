using CsCheck;
using Rollgate.Rules;

namespace Rollgate.Tests.Rules;

public sealed class RuleParserPropertyTests
{
    private const long Iterations = 10_000;

    // Grammar tokens plus near-misses (typos, wrong units, stray symbols) so random sequences reach deep into the parser.
    private static readonly string[] Vocabulary =
    [
        "alert", "pause", "rollback", "ROLLBACK", "deploy", "when", "WHEN", "if",
        "error_rate", "task_completion_rate", "cost_per_request", "tokens_per_request",
        "p50_latency", "p95_latency", "p99_latency", "request_rate", "latency", "p95", "quality_score", "against", "previous", "24h",
        ">", ">=", "<", "<=", "=", "=>", "!",
        "5%", "15%", "150%", "0%", "100%", "99%", "49%", "300ms", "2s", "0.03", ".5", "1.5", "3", "0", "-1", "5.", "1e5",
        "3x", "1.5x", "0x", "x", "X", "baseline", "drops", "rises", "by", "falls",
        "over", "for", "min", "with", "requests", "request", "confidence",
        "5m", "1h", "30s", "250ms", "0s", "5d", "1.5m", "99999999999999999999h", "2147483648", "20",
        "%", ".", "_", "é", "\u017F", "\0", "\"", "'",
    ];

    [Fact]
    public void Never_throws_on_random_characters()
    {
        var rules = Gen.OneOf(
            Gen.String,
            Gen.Char["alertwhnpusobcdfi_x%<>=.0123456789 \tmshEX"].Array[0, 60].Select(chars => new string(chars)));

        rules.Sample(AssertWellFormedResult, iter: Iterations);
    }

    [Fact]
    public void Never_throws_on_random_token_sequences()
    {
        var rules = Gen.Select(
            Gen.OneOfConst(Vocabulary).Array[0, 16],
            Gen.OneOfConst(" ", "  ", "\t", ""),
            (tokens, separator) => string.Join(separator, tokens));

        rules.Sample(AssertWellFormedResult, iter: Iterations);
    }

    [Fact]
    public void Parses_every_generated_valid_rule_and_its_description()
    {
        ValidRules.Sample(
            sample =>
            {
                var parsed = RuleParser.Parse(sample.Text);
                Assert.True(parsed.Succeeded, parsed.Error?.Message);
                Assert.Equal(sample.Text, parsed.Rule.Text);
                AssertEquivalent(sample, parsed.Rule);

                var reparsed = RuleParser.Parse(parsed.Rule.Describe());
                Assert.True(reparsed.Succeeded, reparsed.Error?.Message);
                AssertEquivalent(sample, reparsed.Rule);
            },
            iter: Iterations,
            print: sample => sample.Text);
    }

    private static void AssertWellFormedResult(string text)
    {
        var result = RuleParser.Parse(text);

        if (result.Succeeded)
        {
            Assert.Null(result.Error);
            Assert.Equal(text, result.Rule.Text);
            return;
        }

        Assert.Null(result.Rule);
        Assert.Equal(text, result.Error.Rule);
        Assert.InRange(result.Error.Position, 1, text.Length + 1);
        Assert.StartsWith("expected ", result.Error.Expected, StringComparison.Ordinal);
        Assert.Equal($"rule '{text}': at position {result.Error.Position}: {result.Error.Expected}", result.Error.Message);
    }

    private static void AssertEquivalent(Rule expected, Rule actual)
    {
        Assert.Equal(expected.Action, actual.Action);
        Assert.Equal(expected.Metric, actual.Metric);
        Assert.Equal(expected.Over, actual.Over);
        Assert.Equal(expected.For, actual.For);
        Assert.Equal(expected.MinRequests, actual.MinRequests);
        Assert.Equal(expected.Confidence.HasValue, actual.Confidence.HasValue);
        Assert.Equal(expected.Confidence ?? 0, actual.Confidence ?? 0, 1e-9);
        Assert.Equal(expected.AgainstPrevious, actual.AgainstPrevious);
        switch (expected.Condition, actual.Condition)
        {
            case (ThresholdCondition e, ThresholdCondition a):
                Assert.Equal(e.Comparator, a.Comparator);
                Assert.Equal(e.Threshold, a.Threshold, 1e-9);
                break;
            case (BaselineRatioCondition e, BaselineRatioCondition a):
                Assert.Equal(e.Comparator, a.Comparator);
                Assert.Equal(e.Factor, a.Factor, 1e-9);
                break;
            case (RelativeChangeCondition e, RelativeChangeCondition a):
                Assert.Equal(e.Direction, a.Direction);
                Assert.Equal(e.Fraction, a.Fraction, 1e-9);
                break;
            default:
                Assert.Fail($"expected {expected.Condition} but parsed {actual.Condition}");
                break;
        }
    }

    /// <summary>A condition with the text that spells it and the normalised value the parser must produce.</summary>
    private sealed record GeneratedPart<T>(string Text, T Value);

    private static string Number(double value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static Gen<GeneratedPart<RuleCondition>> Threshold(RuleMetric metric) =>
        from comparator in Gen.Enum<Comparator>()
        from value in metric.IsLatency()
            ? Gen.OneOf(
                Gen.Int[0, 100_000].Select(ms => new GeneratedPart<double>($"{ms}ms", ms)),
                Gen.Int[0, 600].Select(s => new GeneratedPart<double>($"{s}s", s * 1000.0)))
            : metric == RuleMetric.QualityScore
                ? Gen.Int[0, 1000].Select(n => new GeneratedPart<double>(Number(n / 1000.0), n / 1000.0))
            : metric.IsRate()
                ? Gen.OneOf(
                    Gen.Int[0, 100].Select(p => new GeneratedPart<double>($"{p}%", p / 100.0)),
                    Gen.Int[0, 1000].Select(n => new GeneratedPart<double>(Number(n / 1000.0), n / 1000.0)))
                : Gen.Int[0, 1_000_000].Select(n => new GeneratedPart<double>(Number(n / 100.0), n / 100.0))
        select new GeneratedPart<RuleCondition>(
            $"{comparator.ToSymbol()} {value.Text}", new ThresholdCondition(comparator, value.Value));

    private static readonly Gen<GeneratedPart<RuleCondition>> Ratio =
        from comparator in Gen.Enum<Comparator>()
        from hundredths in Gen.Int[1, 10_000]
        from separator in Gen.OneOfConst("", " ")
        select new GeneratedPart<RuleCondition>(
            $"{comparator.ToSymbol()} {Number(hundredths / 100.0)}{separator}x baseline",
            new BaselineRatioCondition(comparator, hundredths / 100.0));

    private static readonly Gen<GeneratedPart<RuleCondition>> Change =
        from direction in Gen.Enum<ChangeDirection>()
        from percent in direction == ChangeDirection.Drops ? Gen.Int[1, 100] : Gen.Int[1, 1000]
        select new GeneratedPart<RuleCondition>(
            $"{(direction == ChangeDirection.Drops ? "drops" : "rises")} by {percent}%",
            new RelativeChangeCondition(direction, percent / 100.0));

    private static readonly Gen<GeneratedPart<TimeSpan>> Duration =
        from count in Gen.Int[0, 10_000]
        from unit in Gen.OneOfConst("ms", "s", "m", "h")
        select new GeneratedPart<TimeSpan>($"{count}{unit}", unit switch
        {
            "ms" => TimeSpan.FromMilliseconds(count),
            "s" => TimeSpan.FromSeconds(count),
            "m" => TimeSpan.FromMinutes(count),
            _ => TimeSpan.FromHours(count),
        });

    /// <summary>Valid rules built from the grammar, with optional clauses in random order, random keyword case and spacing.</summary>
    private static readonly Gen<Rule> ValidRules =
        from action in Gen.Enum<RuleAction>()
        from metric in Gen.Enum<RuleMetric>()
        from condition in Gen.OneOf(Threshold(metric), Ratio, Change)
        from previous in condition.Value.IsRelative ? Duration.Where(d => d.Value > TimeSpan.Zero).Null() : Gen.Const((GeneratedPart<TimeSpan>?)null)
        from over in Duration.Where(d => d.Value > TimeSpan.Zero).Null()
        from @for in Duration.Null()
        from min in Gen.Nullable(Gen.Int[1, 100_000])
        from confidence in Gen.Nullable(Gen.Int[50, 99])
        from order in Gen.Shuffle(new[] { 0, 1, 2, 3 })
        from upperCase in Gen.Bool
        from separator in Gen.OneOfConst(" ", "  ", "\t", " \n ")
        select Build(action, metric, condition, previous, over, @for, min, confidence, order, upperCase, separator);

    private static Rule Build(
        RuleAction action, RuleMetric metric, GeneratedPart<RuleCondition> condition, GeneratedPart<TimeSpan>? previous, GeneratedPart<TimeSpan>? over,
        GeneratedPart<TimeSpan>? @for, int? min, int? confidence, int[] order, bool upperCase, string separator)
    {
        var clauses = new[]
        {
            over is null ? null : $"over {over.Text}",
            @for is null ? null : $"for {@for.Text}",
            min is null ? null : $"min {min} requests",
            confidence is null ? null : $"with {confidence}% confidence",
        };
        var words = new[] { action.ToRuleText(), "when", metric.ToRuleText(), condition.Text, previous is null ? null : $"against previous {previous.Text}" }
            .OfType<string>()
            .Concat(order.Select(i => clauses[i]).OfType<string>());
        var text = string.Join(separator, words);

        return new Rule(
            upperCase ? text.ToUpperInvariant() : text,
            action,
            metric,
            condition.Value,
            over?.Value ?? Rule.DefaultOver,
            @for?.Value ?? Rule.DefaultFor,
            min ?? Rule.DefaultMinRequests,
            confidence / 100.0) { AgainstPrevious = previous?.Value };
    }
}
