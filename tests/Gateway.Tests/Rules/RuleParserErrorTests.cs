using Rollgate.Rules;

namespace Rollgate.Tests.Rules;

public sealed class RuleParserErrorTests
{
    private const string ExpectedMetric =
        "expected a metric (error_rate, task_completion_rate, cost_per_request, tokens_per_request, "
        + "p50_latency, p95_latency, p99_latency, request_rate, tool_error_rate, fallback_rate or quality_score)";

    [Theory]
    [InlineData("", 1, "expected an action (alert, pause or rollback)")]
    [InlineData("   ", 4, "expected an action (alert, pause or rollback)")]
    [InlineData("deploy when error_rate > 5%", 1, "expected an action (alert, pause or rollback)")]
    [InlineData("5 when error_rate > 5%", 1, "expected an action (alert, pause or rollback)")]
    [InlineData("rollback", 9, "expected 'when'")]
    [InlineData("rollback if error_rate > 5%", 10, "expected 'when'")]
    [InlineData("rollback when", 14, ExpectedMetric)]
    [InlineData("rollback when latency > 2s", 15, ExpectedMetric)]
    [InlineData("rollback when érror_rate > 5%", 15, ExpectedMetric)]
    [InlineData("rollback when error_rate", 25, "expected a comparator (>, >=, <, <=) or 'drops by'/'rises by'")]
    [InlineData("rollback when error_rate = 5%", 26, "expected a comparator (>, >=, <, <=) or 'drops by'/'rises by'")]
    [InlineData("rollback when error_rate falls by 5%", 26, "expected a comparator (>, >=, <, <=) or 'drops by'/'rises by'")]
    [InlineData("rollback when error_rate >", 27, "expected a value such as 5%, 300ms, 2s or 0.03")]
    [InlineData("rollback when error_rate > high", 28, "expected a value such as 5%, 300ms, 2s or 0.03")]
    [InlineData("rollback when error_rate > -5%", 28, "expected a value such as 5%, 300ms, 2s or 0.03")]
    [InlineData("rollback when error_rate => 5%", 26, "expected a comparator (>, >=, <, <=) or 'drops by'/'rises by'")]
    [InlineData("rollback when error_rate > 5kb", 28, "expected a value such as 5%, 300ms, 2s or 0.03")]
    [InlineData("pause when p99_latency > 2m", 26, "expected a value such as 5%, 300ms, 2s or 0.03")]
    [InlineData("rollback when cost_per_request > 3x", 36, "expected 'baseline' after 'x'")]
    [InlineData("rollback when quality_score < 80%", 31, "expected a score from 0 to 1, such as 0.8, for quality_score")]
    [InlineData("rollback when quality_score < 2", 31, "expected a score from 0 to 1, such as 0.8, for quality_score")]
    [InlineData("alert when error_rate > 5% against previous 1h", 28, "expected 'against previous' only after a relative condition ('drops by', 'rises by' or 'Nx baseline')")]
    [InlineData("alert when error_rate > 2x baseline against 1h", 45, "expected 'previous' after 'against'")]
    [InlineData("alert when error_rate > 2x baseline against previous", 53, "expected a duration such as 30s or 5m after 'previous'")]
    [InlineData("alert when error_rate > 2x baseline against previous 0s", 54, "expected a duration greater than 0 after 'previous'")]
    [InlineData("rollback when cost_per_request > 3 x stable", 38, "expected 'baseline' after 'x'")]
    [InlineData("rollback when task_completion_rate drops 20%", 42, "expected 'by' after 'drops'")]
    [InlineData("rollback when task_completion_rate rises", 41, "expected 'by' after 'rises'")]
    [InlineData("rollback when task_completion_rate drops by 20", 45, "expected a percentage such as 20% after 'by'")]
    [InlineData("rollback when task_completion_rate rises by", 44, "expected a percentage such as 20% after 'by'")]
    [InlineData("rollback when error_rate > 15% for", 35, "expected a duration such as 30s or 5m after 'for'")]
    [InlineData("rollback when error_rate > 15% over 5", 37, "expected a duration such as 30s or 5m after 'over'")]
    [InlineData("rollback when error_rate > 15% for 1.5m", 36, "expected a duration such as 30s or 5m after 'for'")]
    [InlineData("rollback when error_rate > 15% for 5d", 36, "expected a duration such as 30s or 5m after 'for'")]
    [InlineData("rollback when error_rate > 15% min", 35, "expected an integer after 'min'")]
    [InlineData("rollback when error_rate > 15% min 2.5 requests", 36, "expected an integer after 'min'")]
    [InlineData("rollback when error_rate > 15% min 20", 38, "expected 'requests' after the number")]
    [InlineData("rollback when error_rate > 15% min 20 reqs", 39, "expected 'requests' after the number")]
    [InlineData("rollback when error_rate > 15% with 99 confidence", 37, "expected a percentage such as 99% before 'confidence'")]
    [InlineData("rollback when error_rate > 15% with 99%", 40, "expected 'confidence'")]
    [InlineData("rollback when error_rate > 15% with 99% certainty", 41, "expected 'confidence'")]
    [InlineData("rollback when error_rate > 15% and", 32, "expected 'over', 'for', 'min', 'with' or end of rule")]
    [InlineData("rollback when error_rate > 15%%", 31, "expected 'over', 'for', 'min', 'with' or end of rule")]
    [InlineData("rollback when error_rate > 15% for 2m then", 39, "expected 'over', 'min', 'with' or end of rule")]
    [InlineData("rollback when error_rate > 15% over 1m for 2m min 5 requests with 95% confidence now", 82, "expected end of rule")]
    [InlineData("rollback when error_rate > 15% for 2m for 3m", 39, "expected at most one 'for' clause")]
    [InlineData("rollback when error_rate > 15% over 1m for 2m OVER 3m", 47, "expected at most one 'over' clause")]
    public void Reports_syntax_errors_with_position_and_expectation(string text, int position, string expected)
    {
        AssertError(text, position, expected);
    }

    [Theory]
    [InlineData("pause when p95_latency > 5%", 26, "expected a latency such as 300ms or 2s for p95_latency")]
    [InlineData("pause when p50_latency > 300", 26, "expected a latency such as 300ms or 2s for p50_latency")]
    [InlineData("alert when error_rate > 300ms", 25, "expected a rate between 0% and 100% such as 5% or 0.05 for error_rate")]
    [InlineData("alert when error_rate > 150%", 25, "expected a rate between 0% and 100% such as 5% or 0.05 for error_rate")]
    [InlineData("alert when task_completion_rate < 1.5", 35, "expected a rate between 0% and 100% such as 5% or 0.05 for task_completion_rate")]
    [InlineData("alert when cost_per_request > 5%", 31, "expected a number without a unit, such as 0.03, for cost_per_request")]
    [InlineData("alert when tokens_per_request > 2s", 33, "expected a number without a unit, such as 0.03, for tokens_per_request")]
    [InlineData("alert when request_rate < 10ms", 27, "expected a number without a unit, such as 0.03, for request_rate")]
    [InlineData("rollback when cost_per_request > 0x baseline", 34, "expected a factor greater than 0 before 'x'")]
    [InlineData("rollback when cost_per_request > 0 x baseline", 34, "expected a factor greater than 0 before 'x'")]
    [InlineData("rollback when error_rate drops by 0%", 35, "expected a percentage above 0% and at most 100% after 'drops by'")]
    [InlineData("rollback when error_rate drops by 150%", 35, "expected a percentage above 0% and at most 100% after 'drops by'")]
    [InlineData("rollback when error_rate rises by 0%", 35, "expected a percentage above 0% after 'rises by'")]
    [InlineData("rollback when error_rate > 5% with 100% confidence", 36, "expected a confidence of at least 50% and below 100%")]
    [InlineData("rollback when error_rate > 5% with 49.9% confidence", 36, "expected a confidence of at least 50% and below 100%")]
    [InlineData("rollback when error_rate > 5% over 0s", 36, "expected a duration greater than 0 after 'over'")]
    [InlineData("rollback when error_rate > 5% min 0 requests", 35, "expected at least 1 request after 'min'")]
    [InlineData("rollback when error_rate > 5% min 2147483648 requests", 35, "expected an integer no larger than 2147483647 after 'min'")]
    [InlineData("rollback when error_rate > 5% for 99999999999999999999h", 35, "expected a shorter duration after 'for'")]
    [InlineData("rollback when error_rate > 5% over 300000000h", 36, "expected a shorter duration after 'over'")]
    public void Reports_semantic_errors_at_the_offending_token(string text, int position, string expected)
    {
        AssertError(text, position, expected);
    }

    [Fact]
    public void Message_names_the_rule_the_position_and_the_expectation()
    {
        var error = RuleParser.Parse("rollback when error_rate > 15% for").Error;

        Assert.NotNull(error);
        Assert.Equal(
            "rule 'rollback when error_rate > 15% for': at position 35: expected a duration such as 30s or 5m after 'for'",
            error.Message);
        Assert.Equal(error.Message, error.ToString());
    }

    [Fact]
    public void Treats_null_as_an_empty_rule()
    {
        AssertError(null, 1, "expected an action (alert, pause or rollback)");
    }

    [Fact]
    public void Refuses_a_number_too_large_for_a_double()
    {
        var digits = new string('9', 400);

        AssertError($"alert when cost_per_request > {digits}", 31, "expected a value such as 5%, 300ms, 2s or 0.03");
    }

    private static void AssertError(string? text, int position, string expected)
    {
        var result = RuleParser.Parse(text);

        Assert.False(result.Succeeded);
        Assert.Null(result.Rule);
        Assert.Equal(text ?? string.Empty, result.Error.Rule);
        Assert.Equal(position, result.Error.Position);
        Assert.Equal(expected, result.Error.Expected);
    }
}
