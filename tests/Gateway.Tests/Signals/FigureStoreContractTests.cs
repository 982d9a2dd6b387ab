using Microsoft.Extensions.Time.Testing;
using Rollgate.Signals;
using static Rollgate.Tests.Signals.SignalTestSupport;

namespace Rollgate.Tests.Signals;

/// <summary>What every <see cref="IFigureStore"/> must do, run against each implementation. Each test uses fresh agent names.</summary>
public abstract class FigureStoreContractTests : IAsyncLifetime
{
    protected static readonly CancellationToken None = CancellationToken.None;

    protected FakeTimeProvider Clock { get; } = NewClock();

    protected IFigureStore Store { get; private set; } = null!;

    protected long Now => Clock.GetUtcNow().ToUnixTimeSeconds();

    protected abstract Task<IFigureStore> CreateStoreAsync(FakeTimeProvider clock);

    public virtual async Task InitializeAsync() => Store = await CreateStoreAsync(Clock);

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected static DateTimeOffset At(long unixSecond, double fraction = 0) => DateTimeOffset.FromUnixTimeMilliseconds(unixSecond * 1000 + (long)(fraction * 1000));

    [Fact]
    public async Task An_agent_without_figures_reads_empty()
    {
        var figures = await Store.ReadAsync(NewAgent(), At(Now - 60), At(Now), None);
        Assert.Empty(figures);
    }

    [Fact]
    public async Task A_window_sums_its_seconds_per_version()
    {
        var agent = NewAgent();
        var t0 = Now - 30;
        var deltas = new List<FigureDelta>();
        for (var i = 0; i < 10; i++)
        {
            deltas.Add(new FigureDelta(agent, 1, t0 + i, Figures(i)));
            deltas.Add(new FigureDelta(agent, 2, t0 + i, Figures(100 + i, requests: 3)));
        }

        await Store.AddAsync(deltas, None);

        var all = await Store.ReadAsync(agent, At(t0), At(t0 + 10), None);
        Assert.Equal([1, 2], all.Keys.Order());
        AssertSame(FigureSummary.Sum(deltas.Where(d => d.Version == 1).Select(d => d.Figures)), all[1]);
        AssertSame(FigureSummary.Sum(deltas.Where(d => d.Version == 2).Select(d => d.Figures)), all[2]);

        var part = await Store.ReadAsync(agent, At(t0 + 2), At(t0 + 5), None);
        AssertSame(Figures(2) + Figures(3) + Figures(4), part[1]);
        Assert.Equal(9, part[2].Requests);
    }

    [Fact]
    public async Task Window_ends_are_rounded_down_to_whole_seconds()
    {
        var agent = NewAgent();
        var t0 = Now - 30;
        await Store.AddAsync(Enumerable.Range(0, 6).Select(i => new FigureDelta(agent, 1, t0 + i, Figures(i, requests: 1))).ToList(), None);

        // [t0 + 1.5, t0 + 4.5) → seconds t0+1 .. t0+3
        var figures = await Store.ReadAsync(agent, At(t0 + 1, 0.5), At(t0 + 4, 0.5), None);
        Assert.Equal(3, figures[1].Requests);
        Assert.Empty(await Store.ReadAsync(agent, At(t0 + 3), At(t0 + 3), None));
        Assert.Empty(await Store.ReadAsync(agent, At(t0 + 6), At(t0 + 20), None));
    }

    [Fact]
    public async Task Deltas_of_one_second_from_several_replicas_add_up()
    {
        var agent = NewAgent();
        var second = Now - 5;
        await Store.AddAsync([new FigureDelta(agent, 1, second, Figures(1))], None);
        await Store.AddAsync([new FigureDelta(agent, 1, second, Figures(2)), new FigureDelta(agent, 1, second, Figures(3))], None);

        var figures = await Store.ReadAsync(agent, At(second), At(second + 1), None);
        AssertSame(Figures(1) + Figures(2) + Figures(3), figures[1]);
    }

    [Fact]
    public async Task Agents_are_separate()
    {
        var (a, b) = (NewAgent(), NewAgent());
        var second = Now - 5;
        await Store.AddAsync([new FigureDelta(a, 1, second, Figures(1)), new FigureDelta(b, 1, second, Figures(2, requests: 4))], None);

        Assert.Equal(10, (await Store.ReadAsync(a, At(second), At(second + 1), None))[1].Requests);
        Assert.Equal(4, (await Store.ReadAsync(b, At(second), At(second + 1), None))[1].Requests);
    }

    [Fact]
    public async Task Score_only_deltas_are_kept_and_scores_sum_across_seconds()
    {
        var agent = NewAgent();
        var second = Now - 5;
        await Store.AddAsync([
            new FigureDelta(agent, 3, second, new FigureSummary().RecordQuality(0.9).RecordQuality(0.7)),
            new FigureDelta(agent, 3, second + 1, new FigureSummary().RecordQuality(0.5)),
        ], None);

        var figures = (await Store.ReadAsync(agent, At(second - 60), At(second + 60), None))[3];
        Assert.Equal((0L, 3L), (figures.Requests, figures.QualityCount));
        Assert.Equal(0.7, figures.QualityScore!.Value, 9);
        Assert.Equal(0.81 + 0.49 + 0.25, figures.QualitySquares, 9);
    }

    [Fact]
    public async Task Outcome_only_deltas_are_kept()
    {
        var agent = NewAgent();
        var second = Now - 5;
        var outcomes = new FigureSummary { Completed = 3, Failed = 1 };
        await Store.AddAsync([new FigureDelta(agent, 7, second, outcomes)], None);

        var figures = (await Store.ReadAsync(agent, At(second - 60), At(second + 60), None))[7];
        Assert.Equal((0L, 3L, 1L), (figures.Requests, figures.Completed, figures.Failed));
        Assert.Equal(0.75, figures.TaskCompletionRate);
    }

    [Fact]
    public async Task A_one_hour_window_sums_every_second_in_it_and_nothing_outside()
    {
        var agent = NewAgent();
        var t0 = Now - 3_690;
        var deltas = new List<FigureDelta>();
        for (var s = t0; s < Now; s += 7)
        {
            deltas.Add(new FigureDelta(agent, 1, s, Figures((int)(s % 1_000), requests: 2)));
            if (s % 3 == 0)
            {
                deltas.Add(new FigureDelta(agent, 2, s, Figures((int)(s % 777), requests: 1)));
            }
        }

        await Store.AddAsync(deltas, None);

        foreach (var from in new[] { t0 + 17, t0 + 60 - t0 % 60, t0 + 61 })
        {
            var to = from + 3_600;
            var figures = await Store.ReadAsync(agent, At(from), At(to), None);
            for (var version = 1; version <= 2; version++)
            {
                var expected = FigureSummary.Sum(deltas.Where(d => d.Version == version && d.UnixSecond >= from && d.UnixSecond < to).Select(d => d.Figures));
                Assert.True(expected.Requests > 100);
                AssertSame(expected, figures[version]);
            }
        }
    }

    [Fact]
    public async Task Two_replicas_flushing_concurrently_are_summed()
    {
        var agent = NewAgent();
        var replicas = Enumerable.Range(0, 2).Select(_ => new SignalRecorder(Clock)).ToArray();
        var flushers = replicas.Select(r => new FigureFlusher(r, Store)).ToArray();
        var from = Clock.GetUtcNow();
        for (var second = 0; second < 5; second++)
        {
            for (var r = 0; r < replicas.Length; r++)
            {
                for (var i = 0; i <= r; i++)
                {
                    replicas[r].For(agent, 1).Record(new RequestSignal(i == 0, 40 + second, 0.5, 100, 10, TaskOutcome.None));
                }
            }

            Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAll(flushers.Select(f => f.FlushAsync(None)));
        }

        await Task.WhenAll(flushers.Select(f => f.DrainAsync(None)));
        var figures = (await Store.ReadAsync(agent, from, Clock.GetUtcNow().AddSeconds(1), None))[1];
        Assert.Equal(15, figures.Requests);   // 5 s × (1 + 2)
        Assert.Equal(10, figures.Errors);
        Assert.Equal(7.5, figures.CostUsd, 9);
        Assert.Equal(1_500, figures.InputTokens);
        Assert.InRange(figures.P50Ms!.Value, 42 * 0.95, 42 * 1.05);
    }
}
