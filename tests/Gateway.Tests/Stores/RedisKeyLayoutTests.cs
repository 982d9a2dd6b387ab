using Microsoft.Extensions.Time.Testing;
using Rollgate.Rules.Evaluation;
using Rollgate.Signals;
using Rollgate.Stores.Redis;
using Rollgate.Tests.Infrastructure;
using StackExchange.Redis;
using static Rollgate.Tests.Stores.StoreTestData;

namespace Rollgate.Tests.Stores;

/// <summary>
/// The names every Redis-backed part writes, spelled out: a fleet's data outlives the build that wrote it, so a
/// renamed key is data an upgraded replica no longer finds. The expected names are literals on purpose.
/// </summary>
public sealed class RedisKeyLayoutTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private const string Agent = "bot";
    private const string Prefix = "layout";
    private static readonly CancellationToken None = CancellationToken.None;
    // 2025-03-01T12:00:00Z: unix second 1740830400, minute 29013840, hour 483564.
    private static readonly DateTimeOffset At = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Every_store_writes_the_key_names_existing_data_was_written_under()
    {
        var clock = new FakeTimeProvider(At);
        await using var store = await RedisStore.ConnectAsync(redis.ConnectionString, clock, new RedisStoreOptions { KeyPrefix = Prefix });
        await using var connection = await RedisConnection.ConnectAsync(redis.ConnectionString);
        var changes = await ListenAsync(connection, "layout:changes");

        Assert.True(await store.TryCommitAsync(Record(Agent, 1), Event(1), None));
        await store.AddVersionAsync(Agent, Version("one").Hash, Version("one").Create, None);
        await store.RecordApplyTimeAsync(Agent, "evt_1", 1.5, None);
        await store.AcknowledgeAsync("replica-a", Agent, 1, None);
        Assert.True(await store.TryAcquireLeaseAsync("controller", "replica-a", TimeSpan.FromMinutes(1), None));
        await store.GetEpochAsync(None);
        await new RedisFigureStore(connection, keyPrefix: Prefix)
            .AddAsync([new FigureDelta(Agent, 1, At.ToUnixTimeSeconds(), Signals.SignalTestSupport.Figures(1))], None);
        var ledger = new RedisRequestLedger(connection, clock, keyPrefix: Prefix);
        ledger.Remember(Agent, "req-1", 1);
        await ledger.FlushAsync(None);
        await new RedisRuleStateBoard(connection, Prefix).PublishAsync(Agent,
            [new RuleStatus("rollback when error_rate > 15%", RuleStateKind.Ok, 0, null, 1, 10, 0, At)], None);
        await new RedisRuleMemoryStore(connection, Prefix).WriteAsync(Agent, new RuleMemory { EvaluatedAt = At }, None);
        await new RedisJudgeSpend(connection, Prefix).AddAsync(Agent, DateOnly.FromDateTime(At.UtcDateTime), 0.25, None);

        var keys = connection.GetServers().Single().Keys(pattern: Prefix + ":*").Select(key => key.ToString()).Order(StringComparer.Ordinal);
        Assert.Equal(
            [
                "layout:agents",
                "layout:epoch",
                "layout:lease:controller",
                "layout:replicas",
                "layout:{bot}:acks",
                "layout:{bot}:applytimes",
                "layout:{bot}:fig:1740830400",
                "layout:{bot}:figm:29013840",
                "layout:{bot}:history",
                "layout:{bot}:judgespend:2025-03-01",
                "layout:{bot}:req:483564",
                "layout:{bot}:rulememory",
                "layout:{bot}:rules",
                "layout:{bot}:state",
                "layout:{bot}:versions",
                "layout:{bot}:vhash",
            ],
            keys);
        Assert.Equal(Agent, await changes.Task.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    /// <summary>Subscribes to <paramref name="channel"/> by its literal name; completes with the first message.</summary>
    private static async Task<TaskCompletionSource<string>> ListenAsync(IConnectionMultiplexer connection, string channel)
    {
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(channel), (_, message) => received.TrySetResult(message.ToString()));
        return received;
    }
}
