using Rollgate.Rules;
using Rollgate.Signals;

namespace Rollgate.Tests.Signals;

public sealed class FigureSummaryTests
{
    [Fact]
    public void Empty_summary_has_no_derived_figures()
    {
        var empty = new FigureSummary();
        Assert.True(empty.IsEmpty);
        Assert.Null(empty.ErrorRate);
        Assert.Null(empty.TaskCompletionRate);
        Assert.Null(empty.CostPerRequest);
        Assert.Null(empty.TokensPerRequest);
        Assert.Null(empty.P95Ms);
        Assert.Equal(0, empty.RequestRate(TimeSpan.FromMinutes(1)));
        Assert.Equal(0, empty.CostSummary.Count);
    }

    [Fact]
    public void Derived_figures_follow_from_the_sums()
    {
        var summary = new FigureSummary();
        for (var i = 0; i < 100; i++)
        {
            summary.Record(new RequestSignal(
                Error: i < 5,
                LatencyMs: i + 1, // 1..100 ms
                CostUsd: i < 50 ? 0.01 : 0.03,
                InputTokens: 100,
                OutputTokens: i < 50 ? 50 : 150,
                Outcome: i < 30 ? TaskOutcome.Completed : i < 40 ? TaskOutcome.Failed : TaskOutcome.None));
        }

        summary.RecordOutcome(TaskOutcome.Failed); // reported later

        Assert.Equal(100, summary.Requests);
        Assert.Equal(0.05, summary.ErrorRate!.Value, 12);
        Assert.Equal(30.0 / 41, summary.TaskCompletionRate!.Value, 12);
        Assert.Equal(0.02, summary.CostPerRequest!.Value, 12);
        Assert.Equal(200, summary.TokensPerRequest!.Value, 12);
        Assert.Equal(100.0 / 60, summary.RequestRate(TimeSpan.FromMinutes(1)), 12);
        Assert.InRange(summary.P50Ms!.Value, 50 * 0.95, 50 * 1.05);
        Assert.InRange(summary.P95Ms!.Value, 95 * 0.95, 95 * 1.05);
        Assert.InRange(summary.P99Ms!.Value, 99 * 0.95, 99 * 1.05);
        Assert.Equal(summary.P95Ms, summary.Quantile(0.95));

        var cost = summary.CostSummary;
        Assert.Equal(100, cost.Count);
        Assert.Equal(2.0, cost.Sum, 12);
        Assert.Equal(50 * 0.0001 + 50 * 0.0009, cost.SumOfSquares, 12);
        Assert.Equal(0.02, cost.Mean, 12);
        Assert.True(cost.Variance > 0);

        var tokens = summary.TokensSummary;
        Assert.Equal(20_000, tokens.Sum);
        Assert.Equal(50 * 150.0 * 150 + 50 * 250.0 * 250, tokens.SumOfSquares);
    }

    [Fact]
    public void Value_maps_every_rule_metric()
    {
        var summary = SignalTestSupport.Figures(1, requests: 40);
        summary.RecordToolCall(failed: true).RecordToolCall(failed: false).RecordToolCall(failed: false).RecordToolCall(failed: false);
        var window = TimeSpan.FromSeconds(20);
        Assert.Equal(summary.ErrorRate, summary.Value(RuleMetric.ErrorRate, window));
        Assert.Equal(0.25, summary.Value(RuleMetric.ToolErrorRate, window));
        Assert.Equal(4, summary.SampleSize(RuleMetric.ToolErrorRate));
        Assert.Equal(summary.TaskCompletionRate, summary.Value(RuleMetric.TaskCompletionRate, window));
        Assert.Equal(summary.CostPerRequest, summary.Value(RuleMetric.CostPerRequest, window));
        Assert.Equal(summary.TokensPerRequest, summary.Value(RuleMetric.TokensPerRequest, window));
        Assert.Equal(summary.P50Ms, summary.Value(RuleMetric.P50Latency, window));
        Assert.Equal(summary.P95Ms, summary.Value(RuleMetric.P95Latency, window));
        Assert.Equal(summary.P99Ms, summary.Value(RuleMetric.P99Latency, window));
        Assert.Equal(2.0, summary.Value(RuleMetric.RequestRate, window));
        Assert.Equal(summary.Outcomes, summary.SampleSize(RuleMetric.TaskCompletionRate));
        Assert.Equal(40, summary.SampleSize(RuleMetric.P95Latency));
        Assert.All(Enum.GetValues<RuleMetric>(), m => Assert.NotNull(summary.Value(m, window)));
    }

    [Fact]
    public void Sums_are_additive_and_plus_leaves_its_operands_alone()
    {
        var a = SignalTestSupport.Figures(1);
        var b = SignalTestSupport.Figures(2, requests: 25);
        var all = new FigureSummary();
        for (var seed = 1; seed <= 2; seed++)
        {
            all.Add(SignalTestSupport.Figures(seed, seed == 1 ? 10 : 25));
        }

        var aBefore = a.Clone();
        var sum = a + b;
        SignalTestSupport.AssertSame(all, sum);
        SignalTestSupport.AssertSame(aBefore, a);
        SignalTestSupport.AssertSame(all, FigureSummary.Sum([a, b]));
        Assert.Same(a, a.Add(b));
        SignalTestSupport.AssertSame(all, a);
    }

    [Fact]
    public void Bad_signal_values_are_sanitised()
    {
        var summary = new FigureSummary()
            .Record(new RequestSignal(false, double.NaN, double.NaN, -5, -1, TaskOutcome.None))
            .Record(new RequestSignal(false, -3, -0.5, long.MaxValue, 0, TaskOutcome.None));
        Assert.Equal(2, summary.Requests);
        Assert.Equal(0, summary.CostUsd);
        Assert.Equal(100_000_000, summary.InputTokens);
        Assert.Equal(2, summary.Latency[0]);
    }
}
