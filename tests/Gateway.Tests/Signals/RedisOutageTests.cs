using Rollgate.Signals;
using Rollgate.Tests.Infrastructure;
using static Rollgate.Tests.Signals.SignalTestSupport;
using Rollgate.Stores.Redis;

namespace Rollgate.Tests.Signals;

/// <summary>Figures and request ids recorded while Redis is down reach it once it is back (own server: it is stopped here).</summary>
public sealed class RedisOutageTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Figures_and_ids_recorded_during_an_outage_are_written_when_redis_returns()
    {
        var clock = NewClock();
        await using var connection = await RedisConnection.ConnectAsync(redis.ConnectionString);
        var prefix = "t" + Guid.NewGuid().ToString("N")[..12];
        var store = new RedisFigureStore(connection, keyPrefix: prefix);
        var ledger = new RedisRequestLedger(connection, clock, keyPrefix: prefix);
        var recorder = new SignalRecorder(clock);
        var flusher = new FigureFlusher(recorder, store);
        var from = clock.GetUtcNow();
        var agent = NewAgent();

        await redis.StopAsync();
        try
        {
            for (var second = 0; second < 4; second++)
            {
                recorder.For(agent, 1).Record(new RequestSignal(false, 20, 0.1, 5, 5, TaskOutcome.None));
                ledger.Remember(agent, $"req-{second}", 1);
                clock.Advance(TimeSpan.FromSeconds(1));
                await flusher.FlushAsync(None);  // fails inside, keeps the deltas
                await ledger.FlushAsync(None);   // likewise
            }

            Assert.True(flusher.FailedFlushes >= 1);
            Assert.Equal(3, flusher.PendingDeltas);
            Assert.Equal(4, ledger.Pending);
        }
        finally
        {
            await redis.StartAsync();
        }

        await Eventually.TrueAsync(async () =>
        {
            await flusher.DrainAsync(None);
            await ledger.FlushAsync(None);
            return flusher.PendingDeltas == 0 && ledger.Pending == 0;
        }, "the pending figures and ids were written after Redis returned");

        var figures = (await store.ReadAsync(agent, from, clock.GetUtcNow().AddSeconds(1), None))[1];
        Assert.Equal(4, figures.Requests);
        Assert.Equal(0.4, figures.CostUsd, 9);
        Assert.Equal(1, await ledger.FindAsync(agent, "req-0", None));
        Assert.Equal(1, await ledger.FindAsync(agent, "req-3", None));
        Assert.Equal(0, flusher.DroppedDeltas + ledger.Dropped);
    }
}
