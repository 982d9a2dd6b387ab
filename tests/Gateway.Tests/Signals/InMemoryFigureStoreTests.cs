using Microsoft.Extensions.Time.Testing;
using Rollgate.Signals;
using static Rollgate.Tests.Signals.SignalTestSupport;

namespace Rollgate.Tests.Signals;

public sealed class InMemoryFigureStoreTests : FigureStoreContractTests
{
    private InMemoryFigureStore Memory => (InMemoryFigureStore)Store;

    protected override Task<IFigureStore> CreateStoreAsync(FakeTimeProvider clock)
        => Task.FromResult<IFigureStore>(new InMemoryFigureStore(clock));

    [Fact]
    public async Task Seconds_are_pruned_after_their_retention_and_minutes_after_theirs()
    {
        var agent = NewAgent();
        var t0 = Now - Now % 60; // a whole minute
        await Store.AddAsync(Enumerable.Range(0, 120).Select(i => new FigureDelta(agent, 1, t0 + i, Figures(i, requests: 1))).ToList(), None);
        Assert.Equal(120, Memory.SecondBuckets);
        Assert.Equal(2, Memory.MinuteBuckets);

        Clock.Advance(TimeSpan.FromMinutes(64));
        Memory.Prune();
        Assert.Equal(120, Memory.SecondBuckets); // within 65 min

        Clock.Advance(TimeSpan.FromMinutes(2));
        Memory.Prune();
        Assert.InRange(Memory.SecondBuckets, 0, 60);
        Clock.Advance(TimeSpan.FromMinutes(1));
        Memory.Prune();
        Assert.Equal(0, Memory.SecondBuckets);
        Assert.Equal(2, Memory.MinuteBuckets);
        // Whole minutes are still answered from the rollups.
        Assert.Equal(120, (await Store.ReadAsync(agent, At(t0), At(t0 + 120), None))[1].Requests);

        Clock.Advance(TimeSpan.FromMinutes(60));
        await Store.AddAsync([], None); // pruning also happens as figures are added
        Assert.Equal(0, Memory.MinuteBuckets);
        Assert.Empty(await Store.ReadAsync(agent, At(t0), At(t0 + 120), None));
    }

    [Fact]
    public async Task Concurrent_adds_and_reads_are_consistent()
    {
        var agent = NewAgent();
        var t0 = Now - 600;
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 500; i++)
            {
                await Store.AddAsync([new FigureDelta(agent, 1 + w % 2, t0 + i, Figures(i, requests: 1))], None);
            }
        }));
        var reader = Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                var figures = await Store.ReadAsync(agent, At(t0), At(t0 + 600), None);
                Assert.All(figures.Values, f => Assert.Equal(f.Requests, f.Latency.Count));
            }
        });
        await Task.WhenAll(writers.Append(reader));

        var all = await Store.ReadAsync(agent, At(t0), At(t0 + 600), None);
        Assert.Equal(1_000, all[1].Requests);
        Assert.Equal(1_000, all[2].Requests);
    }
}
