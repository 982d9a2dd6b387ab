using Rollgate.Rules.Statistics;

namespace Rollgate.Tests.Rules.Statistics;

/// <summary>
/// Seeded Monte Carlo: the tests are checked after every step, as the rule evaluator does every second,
/// and the share of runs that ever fire under the null must stay at or below α. A fixed-sample z test
/// run the same way is the control that shows the simulation can see the problem.
/// </summary>
public sealed class ContinuousMonitoringTests
{
    private const int Runs = 400;
    private const int Steps = 300;
    private const double Confidence = 0.95;
    private const double Alpha = 1 - Confidence;

    [Theory]
    [InlineData(0.05, 0.05, 1.0, 1)] // A/A, error_rate > baseline
    [InlineData(0.05, 0.075, 1.5, 1)] // on the boundary of error_rate > 1.5x baseline
    [InlineData(0.90, 0.81, 0.9, -1)] // on the boundary of task_completion_rate < 0.9x baseline
    public void Rate_test_false_positive_rate_stays_below_alpha_when_checked_every_step(
        double baselineRate, double subjectRate, double ratio, int direction)
    {
        var random = new Random(20_250_101);
        int sequential = 0, naive = 0;
        for (var run = 0; run < Runs; run++)
        {
            long sn = 0, se = 0, bn = 0, be = 0;
            bool sequentialFired = false, naiveFired = false;
            for (var step = 0; step < Steps && !(sequentialFired && naiveFired); step++)
            {
                sn += 10;
                se += Draw(random, 10, subjectRate);
                bn += 40;
                be += Draw(random, 40, baselineRate);
                if (sn < 20)
                {
                    continue;
                }

                var result = direction > 0
                    ? ProportionSequentialTest.GreaterThanRatio(sn, se, bn, be, ratio, Confidence)
                    : ProportionSequentialTest.LessThanRatio(sn, se, bn, be, ratio, Confidence);
                sequentialFired |= result.Significant;
                naiveFired |= ProportionSequentialTest.ZStatistic(sn, se, bn, be, ratio, direction) > 1.6448536269514722;
            }

            sequential += sequentialFired ? 1 : 0;
            naive += naiveFired ? 1 : 0;
        }

        Assert.True(sequential <= Alpha * Runs, $"{sequential}/{Runs} runs fired; alpha allows {Alpha * Runs:F0}");
        Assert.True(naive > 3 * Alpha * Runs, $"control: a fixed-sample z test peeked every step fired in only {naive}/{Runs}");
    }

    [Fact]
    public void Exceedance_test_false_positive_rate_stays_below_alpha_when_checked_every_step()
    {
        var random = new Random(20_250_102);
        var fired = 0;
        for (var run = 0; run < Runs; run++)
        {
            long n = 0, above = 0;
            for (var step = 0; step < Steps; step++)
            {
                n += 10;
                above += Draw(random, 10, 0.05);
                if (n >= 20 && ExceedanceSequentialTest.Exceeds(n, above, 0.05, Confidence).Significant)
                {
                    fired++;
                    break;
                }
            }
        }

        Assert.True(fired <= Alpha * Runs, $"{fired}/{Runs} runs fired; alpha allows {Alpha * Runs:F0}");
    }

    private static int Draw(Random random, int n, double p)
    {
        var events = 0;
        for (var i = 0; i < n; i++)
        {
            events += random.NextDouble() < p ? 1 : 0;
        }

        return events;
    }
}
