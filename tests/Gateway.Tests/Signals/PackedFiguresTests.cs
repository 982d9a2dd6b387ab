using CsCheck;
using Rollgate.Signals;
using static Rollgate.Tests.Signals.SignalTestSupport;

namespace Rollgate.Tests.Signals;

/// <summary>The packed form the in-memory figure store keeps: the same sums as adding summaries, in far fewer bytes.</summary>
public sealed class PackedFiguresTests
{
    [Fact]
    public void Adding_packed_gives_exactly_the_sums_of_adding_summaries()
    {
        var counts = Gen.OneOf(Gen.Const(0L), Gen.Long[0, 300], Gen.Long[0, long.MaxValue / 4]);
        var sums = Gen.OneOf(Gen.Const(0d), Gen.Double[0, 10], Gen.Double[0, 1e15]);
        var latency = Gen.Select(Gen.Int[0, LatencyHistogram.BucketCount - 1], Gen.Long[1, 1_000_000]).Array[0, 40];
        var summary = Gen.Select(counts.Array[8], sums.Array[5], latency).Select((c, d, l) =>
        {
            var figures = new FigureSummary
            {
                Requests = c[0], Errors = c[1], InputTokens = c[2], OutputTokens = c[3], Completed = c[4], Failed = c[5], Fallbacks = c[6],
                CostUsd = d[0], CostUsdSquares = d[1], TokensSquares = d[2],
                QualityCount = c[7], QualitySum = d[3], QualitySquares = d[4],
            };
            foreach (var (bucket, count) in l)
            {
                figures.Latency.Add(bucket, count);
            }

            return figures;
        });
        var deltas = Gen.Select(Gen.Int[1, 6], summary).Array[1, 12];

        deltas.Sample(added =>
        {
            byte[]? packed = null;
            var expected = new Dictionary<int, FigureSummary>();
            foreach (var (version, figures) in added)
            {
                packed = PackedFigures.Add(packed, version, figures);
                expected[version] = expected.TryGetValue(version, out var sum) ? sum.Add(figures) : figures.Clone();
            }

            var read = new Dictionary<int, FigureSummary>();
            PackedFigures.AddTo(packed, read);
            Assert.Equal(expected.Keys.Order(), read.Keys.Order());
            foreach (var (version, sum) in expected)
            {
                AssertExactly(sum, read[version]);
            }
        });
    }

    [Fact]
    public void Reading_adds_to_sums_already_there()
    {
        var packed = PackedFigures.Add(PackedFigures.Add(null, 2, Figures(1)), 1, Figures(2));
        var sums = new Dictionary<int, FigureSummary> { [1] = Figures(3) };

        PackedFigures.AddTo(packed, sums);

        AssertExactly(Figures(3) + Figures(2), sums[1]);
        AssertExactly(Figures(1), sums[2]);
    }

    [Fact]
    public void A_version_second_takes_bytes_for_what_it_holds_not_for_every_latency_bucket()
    {
        // Twenty requests of one second spread over twelve latency buckets, with cost and tokens: the typical stored second.
        var second = new FigureSummary { Requests = 20, Errors = 1, InputTokens = 2_400, OutputTokens = 600, TokensSquares = 450_000, CostUsd = 0.012, CostUsdSquares = 7.2e-6, Completed = 2 };
        for (var i = 0; i < 12; i++)
        {
            second.Latency.Add(150 + 3 * i, 1 + i % 3);
        }

        var one = PackedFigures.Add(null, 7, second);
        var two = PackedFigures.Add(one, 8, second);

        Assert.InRange(one.Length, 1, 80);
        Assert.Equal(2 * one.Length, two.Length);
        Assert.Equal(one.Length, PackedFigures.Add(one, 7, second).Length); // a second delta of the version merges into it
    }

    private static void AssertExactly(FigureSummary expected, FigureSummary actual)
    {
        Assert.Equal(
            (expected.Requests, expected.Errors, expected.InputTokens, expected.OutputTokens, expected.Completed, expected.Failed, expected.Fallbacks),
            (actual.Requests, actual.Errors, actual.InputTokens, actual.OutputTokens, actual.Completed, actual.Failed, actual.Fallbacks));
        Assert.Equal((expected.CostUsd, expected.CostUsdSquares, expected.TokensSquares), (actual.CostUsd, actual.CostUsdSquares, actual.TokensSquares));
        Assert.Equal((expected.QualityCount, expected.QualitySum, expected.QualitySquares), (actual.QualityCount, actual.QualitySum, actual.QualitySquares));
        Assert.Equal(expected.Latency.Counts.ToArray(), actual.Latency.Counts.ToArray());
        Assert.Equal(expected.Latency.Count, actual.Latency.Count);
    }
}
