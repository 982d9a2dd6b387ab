using Rollgate.Rules.Statistics;

namespace Rollgate.Bench.RuleSimulation;

/// <summary>
/// Drift rules (<c>quality_score drops by X% against previous 24h over 1h with 99% confidence</c>) on one stable, checked
/// every simulated second: how often a stationary stable is rolled back over a week, and how many requests it takes
/// to catch a stable whose judged quality steps down. Judge scores are 0 or 1 (the widest spread a score from 0 to 1
/// can have, so the figures are the slowest detection); requests arrive at a fixed rate a second and
/// <see cref="SampleRate"/> of them are judged.
/// </summary>
internal static class DriftSimulation
{
    public const double SampleRate = 0.05;
    public const int Previous = 24 * 3600;   // against previous 24h
    public const int Min = 20;

    /// <summary>The second of the first check with the longest window simulated (1h): both windows are full.</summary>
    public const int FirstCheck = 3600 + Previous;

    /// <param name="quality">The mean score at each second.</param>
    /// <param name="checkSeconds">Seconds checked from <see cref="FirstCheck"/> on.</param>
    /// <param name="stepAt">Requests are counted from this second (the step of a detection scenario).</param>
    /// <returns>Per stable, the requests served from <paramref name="stepAt"/> until the rule fired, or −1.</returns>
    /// <param name="window">The rule's <c>over</c>, in seconds (at most an hour).</param>
    public static long[] Simulate(int stables, int rps, int window, Func<int, double> quality, int checkSeconds, double drop, ulong seed, int stepAt = FirstCheck,
        bool withConfidence = true)
    {
        var seconds = FirstCheck + checkSeconds;
        var fireAt = new long[stables];
        var ratio = 1 - drop;
        var scoresPerSecond = Cdf(rps, SampleRate);
        Parallel.For(0, stables, () => new MeanSummary[seconds + 1], (i, _, prefix) =>
        {
            var rng = new Rng(seed ^ (ulong)i * 0x9E3779B97F4A7C15UL);
            fireAt[i] = -1;
            for (var t = 0; t < seconds; t++)
            {
                var n = Draw(rng, scoresPerSecond);
                var ones = 0;
                var p = quality(t);
                for (var k = 0; k < n; k++)
                {
                    ones += rng.NextDouble() < p ? 1 : 0;
                }

                prefix[t + 1] = prefix[t] + new MeanSummary(n, ones, ones); // 0/1 scores: squares sum like the scores
                if (t + 1 < FirstCheck)
                {
                    continue;
                }

                var now = t + 1;
                var subject = Minus(prefix[now], prefix[now - window]);
                var baseline = Minus(prefix[now - window], prefix[now - window - Previous]);
                // As the evaluator does: min on both windows, the observed condition, then the test.
                if (subject.Count < Min || baseline.Count < Min || !(subject.Mean < ratio * baseline.Mean))
                {
                    continue;
                }

                if (!withConfidence || MeanSequentialTest.LessThanRatio(subject, baseline, ratio, 0.99).Significant)
                {
                    fireAt[i] = (long)Math.Max(0, now - stepAt) * rps;
                    break;
                }
            }

            return prefix;
        }, _ => { });
        return fireAt;
    }

    private static MeanSummary Minus(MeanSummary a, MeanSummary b) => new(a.Count - b.Count, a.Sum - b.Sum, a.SumOfSquares - b.SumOfSquares);

    private static double[] Cdf(int n, double p)
    {
        var cdf = new double[n + 1];
        var probability = Math.Pow(1 - p, n);
        var cumulative = 0.0;
        for (var k = 0; k <= n; k++)
        {
            cumulative += probability;
            cdf[k] = cumulative;
            probability *= (n - k) / (double)(k + 1) * (p / (1 - p));
        }

        return cdf;
    }

    private static int Draw(Rng rng, double[] cdf)
    {
        var u = rng.NextDouble();
        var k = 0;
        while (k < cdf.Length - 1 && u > cdf[k])
        {
            k++;
        }

        return k;
    }
}
