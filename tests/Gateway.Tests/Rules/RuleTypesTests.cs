using Rollgate.Rules;

namespace Rollgate.Tests.Rules;

public sealed class RuleTypesTests
{
    [Theory]
    [InlineData(Comparator.GreaterThan, 2, 1, true)]
    [InlineData(Comparator.GreaterThan, 1, 1, false)]
    [InlineData(Comparator.GreaterOrEqual, 1, 1, true)]
    [InlineData(Comparator.GreaterOrEqual, 0, 1, false)]
    [InlineData(Comparator.LessThan, 0, 1, true)]
    [InlineData(Comparator.LessThan, 1, 1, false)]
    [InlineData(Comparator.LessOrEqual, 1, 1, true)]
    [InlineData(Comparator.LessOrEqual, 2, 1, false)]
    [InlineData(Comparator.GreaterThan, double.NaN, 1, false)]
    [InlineData(Comparator.LessOrEqual, double.NaN, 1, false)]
    public void Comparator_evaluates_value_against_threshold(Comparator comparator, double value, double threshold, bool expected)
    {
        Assert.Equal(expected, comparator.Evaluate(value, threshold));
    }

    [Theory]
    [InlineData(Comparator.GreaterThan, ">")]
    [InlineData(Comparator.GreaterOrEqual, ">=")]
    [InlineData(Comparator.LessThan, "<")]
    [InlineData(Comparator.LessOrEqual, "<=")]
    public void Comparator_round_trips_through_its_symbol(Comparator comparator, string symbol)
    {
        Assert.Equal(symbol, comparator.ToSymbol());
        Assert.True(ComparatorExtensions.TryParse(symbol, out var parsed));
        Assert.Equal(comparator, parsed);
    }

    [Theory]
    [InlineData(RuleMetric.ErrorRate, "error_rate", true)]
    [InlineData(RuleMetric.TaskCompletionRate, "task_completion_rate", false)]
    [InlineData(RuleMetric.CostPerRequest, "cost_per_request", true)]
    [InlineData(RuleMetric.TokensPerRequest, "tokens_per_request", true)]
    [InlineData(RuleMetric.P50Latency, "p50_latency", true)]
    [InlineData(RuleMetric.P95Latency, "p95_latency", true)]
    [InlineData(RuleMetric.P99Latency, "p99_latency", true)]
    [InlineData(RuleMetric.RequestRate, "request_rate", false)]
    [InlineData(RuleMetric.ToolErrorRate, "tool_error_rate", true)]
    public void Metric_has_its_spec_name_and_direction(RuleMetric metric, string name, bool higherIsWorse)
    {
        Assert.Equal(name, metric.ToRuleText());
        Assert.True(RuleMetricExtensions.TryParse(name.ToUpperInvariant(), out var parsed));
        Assert.Equal(metric, parsed);
        Assert.Equal(higherIsWorse, metric.HigherIsWorse());
    }

    [Theory]
    [InlineData(RuleAction.Alert, "alert")]
    [InlineData(RuleAction.Pause, "pause")]
    [InlineData(RuleAction.Rollback, "rollback")]
    public void Action_has_its_spec_name(RuleAction action, string name)
    {
        Assert.Equal(name, action.ToRuleText());
        Assert.True(RuleActionExtensions.TryParse(name, out var parsed));
        Assert.Equal(action, parsed);
    }

    [Theory]
    [InlineData("deploy")]
    [InlineData("")]
    [InlineData(null)]
    public void Unknown_names_are_not_parsed(string? name)
    {
        Assert.False(RuleActionExtensions.TryParse(name, out _));
        Assert.False(RuleMetricExtensions.TryParse(name, out _));
        Assert.False(ComparatorExtensions.TryParse(name, out _));
    }

    [Theory]
    [InlineData("rollback when error_rate > 15% for 2m",
        "rollback when error_rate > 15% over 1m for 2m min 20 requests")]
    [InlineData("ROLLBACK WHEN Error_Rate >= 0.03 over 10s for 30s min 20 requests with 95% confidence",
        "rollback when error_rate >= 3% over 10s for 30s min 20 requests with 95% confidence")]
    [InlineData("alert when error_rate > 7%", "alert when error_rate > 7% over 1m for 0s min 20 requests")]
    [InlineData("pause when p99_latency > 4s for 1m", "pause when p99_latency > 4s over 1m for 1m min 20 requests")]
    [InlineData("pause when p50_latency <= 1500ms over 90s", "pause when p50_latency <= 1500ms over 90s for 0s min 20 requests")]
    [InlineData("rollback when p95_latency > 2 x baseline over 120m min 50 requests",
        "rollback when p95_latency > 2x baseline over 2h for 0s min 50 requests")]
    [InlineData("rollback when task_completion_rate drops by 20% over 60000ms",
        "rollback when task_completion_rate drops by 20% over 1m for 0s min 20 requests")]
    [InlineData("alert when cost_per_request > 0.00001 for 1500ms",
        "alert when cost_per_request > 0.00001 over 1m for 1500ms min 20 requests")]
    [InlineData("alert when tokens_per_request rises by 50% with 99.9% confidence",
        "alert when tokens_per_request rises by 50% over 1m for 0s min 20 requests with 99.9% confidence")]
    public void Describe_renders_the_normalised_rule(string text, string expected)
    {
        var result = RuleParser.Parse(text);

        Assert.True(result.Succeeded, result.Error?.Message);
        Assert.Equal(expected, result.Rule.Describe());
    }

    [Fact]
    public void Parse_result_carries_exactly_one_outcome()
    {
        var success = RuleParser.Parse("alert when error_rate > 5%");
        var failure = RuleParser.Parse("alert");

        Assert.True(success.Succeeded);
        Assert.Null(success.Error);
        Assert.False(failure.Succeeded);
        Assert.Null(failure.Rule);
    }
}
