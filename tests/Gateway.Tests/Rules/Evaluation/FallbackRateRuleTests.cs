using Rollgate.Rules;
using Rollgate.Rules.Evaluation;
using Rollgate.Signals;

namespace Rollgate.Tests.Rules.Evaluation;

/// <summary><c>fallback_rate</c>: the share of a version's requests a fallback model answered, judged like any rate.</summary>
public sealed class FallbackRateRuleTests
{
    [Fact]
    public void A_threshold_holds_on_the_share_of_requests_answered_by_a_fallback()
    {
        var rule = Parse("rollback when fallback_rate > 20%");

        var verdict = RuleAssessor.Assess(rule, Requests(100, fallbacks: 30), baseline: null);

        Assert.Equal(Verdict.Holds, verdict.Verdict);
        Assert.Equal(0.3, verdict.Value);
        Assert.Equal(Verdict.Clear, RuleAssessor.Assess(rule, Requests(100, fallbacks: 10), baseline: null).Verdict);
    }

    [Fact]
    public void A_relative_rule_with_confidence_uses_the_proportion_test()
    {
        var rule = Parse("rollback when fallback_rate > 2x baseline with 99% confidence");

        var clear = RuleAssessor.Assess(rule, Requests(40, fallbacks: 3), Requests(40, fallbacks: 1));
        var holds = RuleAssessor.Assess(rule, Requests(2_000, fallbacks: 900), Requests(2_000, fallbacks: 40));

        Assert.NotEqual(Verdict.Holds, clear.Verdict); // 7.5% against 2.5% on 40 requests each is not significant
        Assert.Equal(Verdict.Holds, holds.Verdict);
        Assert.True(holds.Test!.Value.Significant);
    }

    private static Rule Parse(string text) => RuleParser.Parse(text).Rule ?? throw new ArgumentException(text);

    private static FigureSummary Requests(int requests, int fallbacks)
    {
        var figures = new FigureSummary();
        for (var i = 0; i < requests; i++)
        {
            figures.Record(new RequestSignal(false, 100, 0, 0, 0, TaskOutcome.None, Fallback: i < fallbacks));
        }

        return figures;
    }
}
