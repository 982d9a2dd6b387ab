namespace Rollgate.Rules.Statistics;

/// <summary>
/// Count, sum and sum of squares of a per-request value (cost, tokens): all a mean test needs, and
/// additive, so per-second summaries can be summed over any window.
/// </summary>
public readonly record struct MeanSummary(long Count, double Sum, double SumOfSquares)
{
    public double Mean => Count > 0 ? Sum / Count : 0;

    /// <summary>Unbiased sample variance; clamped at 0 against rounding in SumOfSquares − Sum²/Count.</summary>
    public double Variance => Count > 1 ? Math.Max(0, (SumOfSquares - Sum * Sum / Count) / (Count - 1)) : 0;

    public MeanSummary Add(double value) => new(Count + 1, Sum + value, SumOfSquares + value * value);

    public static MeanSummary operator +(MeanSummary left, MeanSummary right) =>
        new(left.Count + right.Count, left.Sum + right.Sum, left.SumOfSquares + right.SumOfSquares);
}
