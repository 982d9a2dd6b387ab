using Rollgate.Rules;

namespace Rollgate.Tests.Rules;

public sealed class RuleParserTests
{
    private static readonly TimeSpan OneMinute = TimeSpan.FromMinutes(1);

    public static TheoryData<string, Rule> SpecExamples => new()
    {
        {
            "alert when error_rate > 5% for 5m",
            new("alert when error_rate > 5% for 5m", RuleAction.Alert, RuleMetric.ErrorRate,
                new ThresholdCondition(Comparator.GreaterThan, 0.05), OneMinute, TimeSpan.FromMinutes(5), 20, null)
        },
        {
            "rollback when error_rate > 15% for 2m",
            new("rollback when error_rate > 15% for 2m", RuleAction.Rollback, RuleMetric.ErrorRate,
                new ThresholdCondition(Comparator.GreaterThan, 0.15), OneMinute, TimeSpan.FromMinutes(2), 20, null)
        },
        {
            "rollback when task_completion_rate drops by 20%",
            new("rollback when task_completion_rate drops by 20%", RuleAction.Rollback, RuleMetric.TaskCompletionRate,
                new RelativeChangeCondition(ChangeDirection.Drops, 0.20), OneMinute, TimeSpan.Zero, 20, null)
        },
        {
            "rollback when cost_per_request > 3x baseline",
            new("rollback when cost_per_request > 3x baseline", RuleAction.Rollback, RuleMetric.CostPerRequest,
                new BaselineRatioCondition(Comparator.GreaterThan, 3), OneMinute, TimeSpan.Zero, 20, null)
        },
        {
            "rollback when p95_latency > 2x baseline over 5m min 50 requests",
            new("rollback when p95_latency > 2x baseline over 5m min 50 requests", RuleAction.Rollback, RuleMetric.P95Latency,
                new BaselineRatioCondition(Comparator.GreaterThan, 2), TimeSpan.FromMinutes(5), TimeSpan.Zero, 50, null)
        },
        {
            "rollback when quality_score drops by 10% against previous 24h with 99% confidence",
            new("rollback when quality_score drops by 10% against previous 24h with 99% confidence", RuleAction.Rollback, RuleMetric.QualityScore,
                new RelativeChangeCondition(ChangeDirection.Drops, 0.10), OneMinute, TimeSpan.Zero, 20, 0.99) { AgainstPrevious = TimeSpan.FromHours(24) }
        },
        {
            "alert when error_rate > 2x baseline AGAINST PREVIOUS 1h over 10m",
            new("alert when error_rate > 2x baseline AGAINST PREVIOUS 1h over 10m", RuleAction.Alert, RuleMetric.ErrorRate,
                new BaselineRatioCondition(Comparator.GreaterThan, 2), TimeSpan.FromMinutes(10), TimeSpan.Zero, 20, null) { AgainstPrevious = TimeSpan.FromHours(1) }
        },
        {
            "pause when quality_score < 0.7 over 10m min 30 requests",
            new("pause when quality_score < 0.7 over 10m min 30 requests", RuleAction.Pause, RuleMetric.QualityScore,
                new ThresholdCondition(Comparator.LessThan, 0.7), TimeSpan.FromMinutes(10), TimeSpan.Zero, 30, null)
        },
        {
            "pause when p99_latency > 4s for 1m",
            new("pause when p99_latency > 4s for 1m", RuleAction.Pause, RuleMetric.P99Latency,
                new ThresholdCondition(Comparator.GreaterThan, 4000), OneMinute, OneMinute, 20, null)
        },
        {
            "rollback when error_rate > 1.5x baseline with 99% confidence",
            new("rollback when error_rate > 1.5x baseline with 99% confidence", RuleAction.Rollback, RuleMetric.ErrorRate,
                new BaselineRatioCondition(Comparator.GreaterThan, 1.5), OneMinute, TimeSpan.Zero, 20, 0.99)
        },
        {
            "rollback when fallback_rate > 20% for 1m with 95% confidence",
            new("rollback when fallback_rate > 20% for 1m with 95% confidence", RuleAction.Rollback, RuleMetric.FallbackRate,
                new ThresholdCondition(Comparator.GreaterThan, 0.20), OneMinute, OneMinute, 20, 0.95)
        },
        {
            "ROLLBACK WHEN Error_Rate >= 0.03 over 10s for 30s min 20 requests with 95% confidence",
            new("ROLLBACK WHEN Error_Rate >= 0.03 over 10s for 30s min 20 requests with 95% confidence", RuleAction.Rollback,
                RuleMetric.ErrorRate, new ThresholdCondition(Comparator.GreaterOrEqual, 0.03),
                TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), 20, 0.95)
        },
    };

    [Theory]
    [MemberData(nameof(SpecExamples))]
    public void Parses_spec_examples(string text, Rule expected)
    {
        Assert.Equal(expected, Parse(text));
    }

    [Theory]
    [InlineData("alert", RuleAction.Alert)]
    [InlineData("pause", RuleAction.Pause)]
    [InlineData("rollback", RuleAction.Rollback)]
    [InlineData("RollBack", RuleAction.Rollback)]
    public void Parses_each_action(string word, RuleAction expected)
    {
        Assert.Equal(expected, Parse($"{word} when error_rate > 5%").Action);
    }

    [Theory]
    [InlineData("error_rate", RuleMetric.ErrorRate, "5%", 0.05)]
    [InlineData("task_completion_rate", RuleMetric.TaskCompletionRate, "0.9", 0.9)]
    [InlineData("cost_per_request", RuleMetric.CostPerRequest, "0.03", 0.03)]
    [InlineData("tokens_per_request", RuleMetric.TokensPerRequest, "1200", 1200)]
    [InlineData("p50_latency", RuleMetric.P50Latency, "300ms", 300)]
    [InlineData("p95_latency", RuleMetric.P95Latency, "2s", 2000)]
    [InlineData("p99_latency", RuleMetric.P99Latency, "1.5s", 1500)]
    [InlineData("request_rate", RuleMetric.RequestRate, "50", 50)]
    [InlineData("tool_error_rate", RuleMetric.ToolErrorRate, "2%", 0.02)]
    [InlineData("P95_LATENCY", RuleMetric.P95Latency, "2S", 2000)]
    public void Parses_each_metric_with_a_threshold_in_its_unit(string name, RuleMetric metric, string value, double threshold)
    {
        var rule = Parse($"alert when {name} > {value}");

        Assert.Equal(metric, rule.Metric);
        Assert.Equal(new ThresholdCondition(Comparator.GreaterThan, threshold), rule.Condition);
    }

    [Theory]
    [InlineData("alert when error_rate > 5%", Comparator.GreaterThan)]
    [InlineData("alert when error_rate >= 5%", Comparator.GreaterOrEqual)]
    [InlineData("alert when error_rate < 5%", Comparator.LessThan)]
    [InlineData("alert when error_rate <= 5%", Comparator.LessOrEqual)]
    [InlineData("alert when error_rate>=5%", Comparator.GreaterOrEqual)]
    [InlineData("alert when error_rate<5%", Comparator.LessThan)]
    public void Parses_each_comparator(string text, Comparator expected)
    {
        Assert.Equal(new ThresholdCondition(expected, 0.05), Parse(text).Condition);
    }

    [Theory]
    [InlineData("error_rate", "5%", 0.05)]
    [InlineData("error_rate", "100%", 1)]
    [InlineData("error_rate", "0%", 0)]
    [InlineData("error_rate", "12.5%", 0.125)]
    [InlineData("error_rate", "0.05", 0.05)]
    [InlineData("error_rate", ".5", 0.5)]
    [InlineData("error_rate", "1", 1)]
    [InlineData("p50_latency", "300ms", 300)]
    [InlineData("p50_latency", "2.5ms", 2.5)]
    [InlineData("p50_latency", "300MS", 300)]
    [InlineData("p50_latency", "2s", 2000)]
    [InlineData("p50_latency", ".5s", 500)]
    [InlineData("cost_per_request", "0.03", 0.03)]
    [InlineData("cost_per_request", "15", 15)]
    [InlineData("cost_per_request", "0", 0)]
    public void Normalises_each_value_kind(string metric, string value, double expected)
    {
        var condition = Assert.IsType<ThresholdCondition>(Parse($"alert when {metric} < {value}").Condition);

        Assert.Equal(expected, condition.Threshold, 1e-12);
    }

    [Theory]
    [InlineData("> 3x baseline", Comparator.GreaterThan, 3)]
    [InlineData("> 3 x baseline", Comparator.GreaterThan, 3)]
    [InlineData(">= 1.5x baseline", Comparator.GreaterOrEqual, 1.5)]
    [InlineData("< .5x baseline", Comparator.LessThan, 0.5)]
    [InlineData("<=0.8X BASELINE", Comparator.LessOrEqual, 0.8)]
    public void Parses_baseline_ratio_conditions(string condition, Comparator comparator, double factor)
    {
        var rule = Parse($"rollback when cost_per_request {condition}");

        Assert.Equal(new BaselineRatioCondition(comparator, factor), rule.Condition);
        Assert.True(rule.IsRelative);
    }

    [Theory]
    [InlineData("drops by 20%", ChangeDirection.Drops, 0.20)]
    [InlineData("drops by 100%", ChangeDirection.Drops, 1.0)]
    [InlineData("DROPS BY 0.5%", ChangeDirection.Drops, 0.005)]
    [InlineData("rises by 20%", ChangeDirection.Rises, 0.20)]
    [InlineData("rises by 250%", ChangeDirection.Rises, 2.5)]
    public void Parses_relative_change_conditions(string condition, ChangeDirection direction, double fraction)
    {
        var rule = Parse($"pause when task_completion_rate {condition}");

        var change = Assert.IsType<RelativeChangeCondition>(rule.Condition);
        Assert.Equal(direction, change.Direction);
        Assert.Equal(fraction, change.Fraction, 1e-12);
        Assert.True(rule.IsRelative);
    }

    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("30s", 30_000)]
    [InlineData("5m", 300_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("90S", 90_000)]
    [InlineData("1H", 3_600_000)]
    public void Parses_each_duration_unit_in_over_and_for(string duration, long milliseconds)
    {
        var expected = TimeSpan.FromMilliseconds(milliseconds);

        Assert.Equal(expected, Parse($"alert when error_rate > 5% over {duration}").Over);
        Assert.Equal(expected, Parse($"alert when error_rate > 5% for {duration}").For);
    }

    [Fact]
    public void Applies_defaults_when_clauses_are_omitted()
    {
        var rule = Parse("alert when error_rate > 5%");

        Assert.Equal(Rule.DefaultOver, rule.Over);
        Assert.Equal(TimeSpan.FromMinutes(1), rule.Over);
        Assert.Equal(TimeSpan.Zero, rule.For);
        Assert.Equal(20, rule.MinRequests);
        Assert.Null(rule.Confidence);
        Assert.False(rule.IsRelative);
    }

    [Theory]
    [InlineData("alert when error_rate > 5% over 2m for 10s min 5 requests with 90% confidence")]
    [InlineData("alert when error_rate > 5% with 90% confidence min 5 requests for 10s over 2m")]
    [InlineData("alert when error_rate > 5% for 10s with 90% confidence over 2m min 5 requests")]
    [InlineData("ALERT WHEN ERROR_RATE > 5% OVER 2M FOR 10S MIN 5 REQUESTS WITH 90% CONFIDENCE")]
    public void Accepts_optional_clauses_in_any_order_and_case(string text)
    {
        var rule = Parse(text);

        Assert.Equal(TimeSpan.FromMinutes(2), rule.Over);
        Assert.Equal(TimeSpan.FromSeconds(10), rule.For);
        Assert.Equal(5, rule.MinRequests);
        Assert.Equal(0.90, rule.Confidence);
    }

    [Theory]
    [InlineData("min 1 requests", 1)]
    [InlineData("min 2147483647 requests", int.MaxValue)]
    public void Parses_min_requests_across_its_range(string clause, int expected)
    {
        Assert.Equal(expected, Parse($"alert when error_rate > 5% {clause}").MinRequests);
    }

    [Theory]
    [InlineData("with 50% confidence", 0.50)]
    [InlineData("with 99.9% confidence", 0.999)]
    public void Parses_confidence_as_a_fraction(string clause, double expected)
    {
        Assert.Equal(expected, Parse($"alert when error_rate > 5% {clause}").Confidence!.Value, 1e-12);
    }

    [Fact]
    public void Allows_a_zero_for_duration()
    {
        Assert.Equal(TimeSpan.Zero, Parse("alert when error_rate > 5% for 0s").For);
    }

    [Fact]
    public void Keeps_the_original_text_and_tolerates_any_whitespace()
    {
        const string text = "  rollback\twhen\r\nerror_rate>15%   for 2m ";

        var rule = Parse(text);

        Assert.Equal(text, rule.Text);
        Assert.Equal(new ThresholdCondition(Comparator.GreaterThan, 0.15), rule.Condition);
        Assert.Equal(TimeSpan.FromMinutes(2), rule.For);
    }

    private static Rule Parse(string text)
    {
        var result = RuleParser.Parse(text);
        Assert.True(result.Succeeded, result.Error?.Message);
        return result.Rule;
    }
}
