using Microsoft.Extensions.Time.Testing;
using Rollgate.Signals;
using Rollgate.Stores;

namespace Rollgate.Tests.Signals;

/// <summary>Clocks, data and a scriptable store for the signal tests.</summary>
internal static class SignalTestSupport
{
    /// <summary>A whole unix second, so that stamps are predictable.</summary>
    public static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static FakeTimeProvider NewClock(DateTimeOffset? start = null) => new(start ?? Start);

    public static string NewAgent() => "agent-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A summary with every field set, derived from <paramref name="seed"/>.</summary>
    public static FigureSummary Figures(int seed, int requests = 10)
    {
        var summary = new FigureSummary();
        for (var i = 0; i < requests; i++)
        {
            var k = seed * 31 + i;
            summary.Record(new RequestSignal(
                Error: k % 7 == 0,
                LatencyMs: 5 + (k * 37 % 2000),
                CostUsd: 0.001 * (k % 13),
                InputTokens: 100 + k % 50,
                OutputTokens: 20 + k % 9,
                Outcome: (k % 5) switch { 0 => TaskOutcome.Completed, 1 => TaskOutcome.Failed, _ => TaskOutcome.None },
                Fallback: k % 3 == 0));
            if (k % 4 == 0)
            {
                summary.RecordQuality(k % 11 / 10.0);
            }
        }

        return summary;
    }

    public static void AssertSame(FigureSummary expected, FigureSummary? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Requests, actual.Requests);
        Assert.Equal(expected.Errors, actual.Errors);
        Assert.Equal(expected.InputTokens, actual.InputTokens);
        Assert.Equal(expected.OutputTokens, actual.OutputTokens);
        Assert.Equal(expected.Completed, actual.Completed);
        Assert.Equal(expected.Failed, actual.Failed);
        Assert.Equal(expected.Fallbacks, actual.Fallbacks);
        Assert.Equal(expected.CostUsd, actual.CostUsd, 1e-9);
        Assert.Equal(expected.CostUsdSquares, actual.CostUsdSquares, 1e-9);
        Assert.Equal(expected.TokensSquares, actual.TokensSquares, 1e-6);
        Assert.Equal(expected.QualityCount, actual.QualityCount);
        Assert.Equal(expected.QualitySum, actual.QualitySum, 1e-9);
        Assert.Equal(expected.QualitySquares, actual.QualitySquares, 1e-9);
        Assert.Equal(expected.Latency.Counts.ToArray(), actual.Latency.Counts.ToArray());
    }
}

/// <summary>An in-memory <see cref="IFigureStore"/> that records every call and can be told to fail.</summary>
internal sealed class ScriptedFigureStore : IFigureStore
{
    private readonly List<FigureDelta> _added = [];

    /// <summary>Agents whose AddAsync throws <see cref="StoreUnavailableException"/>; "*" fails all.</summary>
    public HashSet<string> Failing { get; } = [];

    public int Calls { get; private set; }

    public IReadOnlyList<FigureDelta> Added
    {
        get
        {
            lock (_added)
            {
                return _added.ToList();
            }
        }
    }

    public Task AddAsync(IReadOnlyList<FigureDelta> deltas, CancellationToken cancellationToken)
    {
        lock (_added)
        {
            Calls++;
            if (deltas.Any(d => Failing.Contains("*") || Failing.Contains(d.Agent)))
            {
                throw new StoreUnavailableException("scripted outage");
            }

            // Copies: the flusher owns what it passed.
            _added.AddRange(deltas.Select(d => d with { Figures = d.Figures.Clone() }));
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<int, FigureSummary>> ReadAsync(string agent, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
        => throw new NotSupportedException();

    public FigureSummary Total(string agent, int version)
        => FigureSummary.Sum(Added.Where(d => d.Agent == agent && d.Version == version).Select(d => d.Figures));
}
