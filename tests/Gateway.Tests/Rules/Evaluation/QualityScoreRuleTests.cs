using Rollgate.Rules;
using Rollgate.Rules.Evaluation;
using Rollgate.Signals;

namespace Rollgate.Tests.Rules.Evaluation;

/// <summary><c>quality_score</c>: the mean judge score of a version, its sample size the scored answers, tested like a mean.</summary>
public sealed class QualityScoreRuleTests
{
    [Fact]
    public void A_threshold_holds_on_the_mean_score_and_min_counts_scored_answers_not_requests()
    {
        var rule = Parse("pause when quality_score < 0.7 min 20 requests");

        Assert.Equal(Verdict.Holds, RuleAssessor.Assess(rule, Scores(40, 0.5), baseline: null).Verdict);
        Assert.Equal(Verdict.Clear, RuleAssessor.Assess(rule, Scores(40, 0.8), baseline: null).Verdict);
        var fewScored = Scores(10, 0.1);
        fewScored.Requests = 1_000;
        var verdict = RuleAssessor.Assess(rule, fewScored, baseline: null);
        Assert.Equal(Verdict.InsufficientData, verdict.Verdict);
        Assert.Equal(10, verdict.SubjectN);
    }

    [Fact]
    public void A_relative_drop_with_confidence_uses_the_mean_test_and_needs_enough_scores()
    {
        var rule = Parse("rollback when quality_score drops by 10% with 99% confidence");

        var few = RuleAssessor.Assess(rule, Scores(30, 0.70), Scores(30, 0.84));
        var many = RuleAssessor.Assess(rule, Scores(3_000, 0.70), Scores(3_000, 0.84));
        var same = RuleAssessor.Assess(rule, Scores(3_000, 0.84), Scores(3_000, 0.84));

        Assert.NotEqual(Verdict.Holds, few.Verdict);
        Assert.Equal(Verdict.Holds, many.Verdict);
        Assert.Equal(MeanSequentialMethod, many.Test!.Value.Method);
        Assert.Equal(Verdict.Clear, same.Verdict);
    }

    [Fact]
    public void Every_condition_form_reads_the_mean_score()
    {
        var subject = Scores(100, 0.5);
        var baseline = Scores(100, 0.8);

        Assert.Equal(Verdict.Holds, RuleAssessor.Assess(Parse("alert when quality_score < 0.8x baseline"), subject, baseline).Verdict);
        Assert.Equal(Verdict.Holds, RuleAssessor.Assess(Parse("alert when quality_score drops by 20%"), subject, baseline).Verdict);
        Assert.Equal(Verdict.Clear, RuleAssessor.Assess(Parse("alert when quality_score rises by 20%"), subject, baseline).Verdict);
        Assert.Equal(Verdict.Holds, RuleAssessor.Assess(Parse("alert when quality_score <= 0.5"), subject, null).Verdict);
        Assert.False(RuleMetric.QualityScore.HigherIsWorse());
    }

    private const string MeanSequentialMethod = Rollgate.Rules.Statistics.MeanSequentialTest.Method;

    private static Rule Parse(string text) => RuleParser.Parse(text).Rule ?? throw new ArgumentException(text);

    /// <summary><paramref name="count"/> scores of 0 or 1 whose mean is <paramref name="mean"/> (to the nearest answer).</summary>
    private static FigureSummary Scores(int count, double mean)
    {
        var figures = new FigureSummary { Requests = count };
        var ones = (int)Math.Round(count * mean);
        for (var i = 0; i < count; i++)
        {
            figures.RecordQuality(i < ones ? 1 : 0);
        }

        return figures;
    }
}
