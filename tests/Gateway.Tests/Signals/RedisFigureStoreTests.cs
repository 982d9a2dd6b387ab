using Microsoft.Extensions.Time.Testing;
using Rollgate.Signals;
using Rollgate.Stores;
using Rollgate.Tests.Infrastructure;
using StackExchange.Redis;
using static Rollgate.Tests.Signals.SignalTestSupport;
using Rollgate.Stores.Redis;

namespace Rollgate.Tests.Signals;

/// <summary>The figure store contract against a real Redis (one server per class; each test has its own key prefix).</summary>
public sealed class RedisFigureStoreTests(RedisServer redis) : FigureStoreContractTests, IClassFixture<RedisServer>
{
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..12];
    private IConnectionMultiplexer _connection = null!;

    protected override async Task<IFigureStore> CreateStoreAsync(FakeTimeProvider clock)
    {
        _connection = await RedisConnection.ConnectAsync(redis.ConnectionString);
        return new RedisFigureStore(_connection, keyPrefix: _prefix);
    }

    public override async Task DisposeAsync() => await _connection.DisposeAsync();

    [Fact]
    public async Task Every_key_expires_seconds_after_65_minutes_and_minutes_after_2_hours()
    {
        var agent = NewAgent();
        var t0 = Now - 200;
        await Store.AddAsync(Enumerable.Range(0, 130).Select(i => new FigureDelta(agent, 1 + i % 2, t0 + i, Figures(i, requests: 2))).ToList(), None);

        var server = _connection.GetServer(_connection.GetEndPoints()[0]);
        var keys = server.Keys(pattern: $"{_prefix}:{{{agent}}}:*").ToList();
        Assert.Equal(130, keys.Count(k => k.ToString().Contains(":fig:", StringComparison.Ordinal)));
        Assert.InRange(keys.Count(k => k.ToString().Contains(":figm:", StringComparison.Ordinal)), 3, 4);
        var db = _connection.GetDatabase();
        foreach (var key in keys)
        {
            var ttl = await db.KeyTimeToLiveAsync(key);
            Assert.NotNull(ttl);
            var limit = key.ToString().Contains(":figm:", StringComparison.Ordinal) ? TimeSpan.FromHours(2) : TimeSpan.FromMinutes(65);
            Assert.InRange(ttl.Value, limit - TimeSpan.FromMinutes(1), limit);
        }
    }

    [Fact]
    public async Task Keys_carry_the_agent_hash_tag_and_only_non_zero_fields()
    {
        var agent = NewAgent();
        var second = Now - 10;
        var figures = new FigureSummary().Record(new RequestSignal(false, 100, 0, 0, 0, TaskOutcome.None));
        await Store.AddAsync([new FigureDelta(agent, 3, second, figures)], None);

        var fields = await _connection.GetDatabase().HashGetAllAsync($"{_prefix}:{{{agent}}}:fig:{second}");
        Assert.Equal(["3:l" + LatencyHistogram.BucketOf(100), "3:n"], fields.Select(f => f.Name.ToString()).Order());
    }

    [Fact]
    public async Task Two_replicas_with_their_own_connections_read_the_fleet_sum()
    {
        var agent = NewAgent();
        await using var otherConnection = await RedisConnection.ConnectAsync(redis.ConnectionString);
        var stores = new IFigureStore[] { Store, new RedisFigureStore(otherConnection, keyPrefix: _prefix) };
        var recorders = stores.Select(_ => new SignalRecorder(Clock)).ToArray();
        var flushers = stores.Select((s, i) => new FigureFlusher(recorders[i], s)).ToArray();
        var from = Clock.GetUtcNow();
        for (var second = 0; second < 3; second++)
        {
            recorders[0].For(agent, 1).Record(new RequestSignal(false, 10, 0.25, 1, 1, TaskOutcome.Completed));
            recorders[1].For(agent, 1).Record(new RequestSignal(true, 10, 0.25, 1, 1, TaskOutcome.Failed));
            recorders[1].For(agent, 2).Record(new RequestSignal(false, 10, 0, 0, 0, TaskOutcome.None));
            Clock.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAll(flushers.Select(f => f.FlushAsync(None)));
        }

        await Task.WhenAll(flushers.Select(f => f.DrainAsync(None)));
        foreach (var store in stores)
        {
            var figures = await store.ReadAsync(agent, from, Clock.GetUtcNow().AddSeconds(1), None);
            Assert.Equal((6L, 3L, 1.5, 3L, 3L), (figures[1].Requests, figures[1].Errors, figures[1].CostUsd, figures[1].Completed, figures[1].Failed));
            Assert.Equal(3, figures[2].Requests);
        }
    }

    [Fact]
    public async Task An_unreachable_redis_is_reported_as_store_unavailable()
    {
        await using var dead = await RedisConnection.ConnectAsync($"127.0.0.1:{FreePort.Get()},connectTimeout=200");
        var store = new RedisFigureStore(dead, keyPrefix: _prefix);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.AddAsync([new FigureDelta("x", 1, Now, Figures(1))], None));
        await Assert.ThrowsAsync<StoreUnavailableException>(() => store.ReadAsync("x", At(Now - 60), At(Now), None));
    }
}
