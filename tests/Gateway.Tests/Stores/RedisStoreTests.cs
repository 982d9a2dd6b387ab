using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Rollgate.Release;
using Rollgate.Stores;
using Rollgate.Stores.Redis;
using Rollgate.Tests.Infrastructure;
using StackExchange.Redis;
using static Rollgate.Tests.Stores.StoreTestData;

namespace Rollgate.Tests.Stores;

/// <summary>What only the Redis store does: fail fast and recover with Redis, atomic scripts, fleet acks, replicas.</summary>
public sealed class RedisStoreTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    /// <summary>
    /// Catches a store that hangs while Redis is down (waiting for it to return) without timing how fast it fails:
    /// connecting and failing take milliseconds when the machine is idle, seconds when the rest of the suite loads it.
    /// </summary>
    private static readonly TimeSpan FailFastBound = TimeSpan.FromSeconds(30);

    private readonly string _prefix = "test-" + Guid.NewGuid().ToString("N");
    private readonly List<IAsyncDisposable> _disposables = [];

    public Task InitializeAsync() => redis.StartAsync(); // a previous test may have failed while Redis was stopped

    public async Task DisposeAsync()
    {
        foreach (var disposable in _disposables)
        {
            await disposable.DisposeAsync();
        }

        await redis.StartAsync();
    }

    [Fact]
    public async Task While_Redis_is_down_calls_fail_fast_and_after_it_returns_the_store_and_its_watchers_work_again()
    {
        var store = await ConnectAsync(TimeSpan.FromHours(1)); // no poller ticks: the re-read must come from the reconnect
        var agent = NewAgentName();
        Assert.True(await store.TryCommitAsync(Record(agent, 1), Event(1), None));
        await store.AddVersionAsync(agent, Version("one").Hash, Version("one").Create, None);
        var seen = new ConcurrentQueue<string>();
        using var watch = store.Watch(seen.Enqueue);
        await Eventually.TrueAsync(() => seen.Contains(agent), "the first poll reported the existing agent");

        await redis.StopAsync();
        seen.Clear();

        await AssertFailsFastAsync(() => store.TryCommitAsync(Record(agent, 2), Event(2), None));
        await AssertFailsFastAsync(() => store.AddVersionAsync(agent, Version("two").Hash, Version("two").Create, None));
        await AssertFailsFastAsync(() => store.GetAgentAsync(agent, None));

        await redis.StartAsync();
        await Eventually.TrueAsync(() => seen.Contains(agent), "the agent was re-read after the reconnect");
        var record = await Eventually.SucceedsAsync<AgentRecord?, StoreUnavailableException>(() => store.GetAgentAsync(agent, None), "Redis answers again");
        Assert.Equal(1, record!.Generation);
        Assert.True(await store.TryCommitAsync(Record(agent, 2), Event(2), None));
        var added = await store.AddVersionAsync(agent, Version("two").Hash, Version("two").Create, None);
        Assert.Equal((2, true), (added.Version.Number, added.Created));

        var created = NewAgentName();
        Assert.True(await store.TryCommitAsync(Record(created, 1), Event(1), None));
        await Eventually.TrueAsync(() => seen.Contains(created), "a change after the reconnect was reported");
    }

    [Fact]
    public async Task Connecting_while_Redis_is_down_succeeds_and_the_store_works_once_Redis_is_up()
    {
        await redis.StopAsync();
        var clock = Stopwatch.StartNew();
        var store = await ConnectAsync(TimeSpan.FromHours(1));
        Assert.True(clock.Elapsed < FailFastBound, $"connecting took {clock.Elapsed}");
        var seen = new ConcurrentQueue<string>();
        using var watch = store.Watch(seen.Enqueue);
        await AssertFailsFastAsync(() => store.ListAgentsAsync(None));

        await redis.StartAsync();
        await Eventually.SucceedsAsync<IReadOnlyList<string>, StoreUnavailableException>(() => store.ListAgentsAsync(None), "Redis answers");
        var agent = NewAgentName();
        Assert.True(await store.TryCommitAsync(Record(agent, 1), Event(1), None));

        await Eventually.TrueAsync(() => seen.Contains(agent), "the subscription made while Redis was down reports changes");
    }

    [Fact]
    public async Task A_stale_commit_leaves_the_record_and_the_history_list_untouched()
    {
        var store = await ConnectAsync();
        var agent = NewAgentName();
        Assert.True(await store.TryCommitAsync(Record(agent, 1), Event(1), None));
        Assert.True(await store.TryCommitAsync(Record(agent, 2, stable: 1), Event(2), None));
        var db = (await RawAsync()).GetDatabase();
        var before = await db.HashGetAsync(Key(agent, "state"), "record");

        Assert.False(await store.TryCommitAsync(Record(agent, 2, stable: 9), Event(2), None));

        Assert.Equal(2, await db.ListLengthAsync(Key(agent, "history")));
        Assert.Equal(2, (long)await db.HashGetAsync(Key(agent, "state"), "generation"));
        Assert.Equal(before.ToString(), (await db.HashGetAsync(Key(agent, "state"), "record")).ToString());
    }

    [Fact]
    public async Task The_poller_reports_a_change_whose_publish_was_lost()
    {
        var store = await ConnectAsync(TimeSpan.FromMilliseconds(50));
        var agent = NewAgentName();
        var seen = new ConcurrentQueue<string>();
        using var watch = store.Watch(seen.Enqueue);
        Assert.True(await store.TryCommitAsync(Record(agent, 1), Event(1), None));
        // Once from pub/sub, once from the poller seeing the agent for the first time.
        await Eventually.TrueAsync(() => seen.Count(a => a == agent) >= 2, "pub/sub and the poller both reported the commit");
        seen.Clear();

        // A write that publishes nothing, as if the message had been lost.
        await (await RawAsync()).GetDatabase().HashSetAsync(Key(agent, "state"), "generation", 2);

        await Eventually.TrueAsync(() => seen.Contains(agent), "the poller noticed the new generation");
    }

    [Fact]
    public async Task After_a_flush_the_store_has_a_new_epoch_watchers_are_told_and_version_numbers_read_the_new_content()
    {
        var a = await ConnectAsync(TimeSpan.FromMilliseconds(50));
        var b = await ConnectAsync(TimeSpan.FromMilliseconds(50));
        var agent = NewAgentName();
        Assert.True(await a.TryCommitAsync(Record(agent, 1), Event(1), None));
        var old = await a.AddVersionAsync(agent, Version("old").Hash, Version("old").Create, None);
        Assert.Equal(old.Version.Hash, (await b.GetVersionAsync(agent, 1, None))!.Hash); // now cached by B
        var epoch = await a.GetEpochAsync(None);
        var epochs = new ConcurrentQueue<string>();
        using var watch = b.Watch(_ => { }, epochs.Enqueue);
        await Eventually.TrueAsync(() => epochs.Contains(epoch), "B's watcher was told the epoch");

        await redis.FlushAllAsync();
        Assert.True(await a.TryCommitAsync(Record(agent, 1), Event(1), None)); // the same name, created anew
        var fresh = await a.AddVersionAsync(agent, Version("new").Hash, Version("new").Create, None);
        await Eventually.TrueAsync(() => epochs.Any(e => e != epoch), "B's watcher was told the new epoch");

        var newEpoch = epochs.Last();
        Assert.Equal(newEpoch, await a.GetEpochAsync(None));
        Assert.Equal(newEpoch, await b.GetEpochAsync(None));
        Assert.Equal((1, true), (fresh.Version.Number, fresh.Created));
        Assert.Equal(fresh.Version.Hash, (await a.GetVersionAsync(agent, 1, None))!.Hash);
        Assert.Equal(fresh.Version.Hash, (await b.GetVersionAsync(agent, 1, None))!.Hash);
        Assert.Equal([fresh.Version.Hash], (await b.ListVersionsAsync(agent, None)).Select(v => v.Hash));
    }

    [Fact]
    public async Task Acks_count_live_replicas_only_and_a_replica_silent_for_five_seconds_drops_out()
    {
        var time = new FakeTimeProvider(Now);
        var store = await ConnectAsync(timeProvider: time);
        var agent = NewAgentName();
        await store.AcknowledgeAsync("r1", agent, 3, None);
        await store.AcknowledgeAsync("r2", agent, 2, None);
        await store.HeartbeatAsync("r3", None);

        Assert.Equal(new FleetAcks(1, 3), await store.GetAcksAsync(agent, 3, None));
        Assert.Equal(new FleetAcks(2, 3), await store.GetAcksAsync(agent, 2, None));

        time.Advance(TimeSpan.FromSeconds(6));
        await store.HeartbeatAsync("r2", None);
        Assert.Equal(new FleetAcks(0, 1), await store.GetAcksAsync(agent, 3, None));
        Assert.Equal(new FleetAcks(1, 1), await store.GetAcksAsync(agent, 2, None));

        await store.AcknowledgeAsync("r1", agent, 4, None);
        var acks = await store.GetAcksAsync(agent, 3, None);
        Assert.Equal(new FleetAcks(1, 2), acks);
        Assert.False(acks.All);
    }

    [Fact]
    public async Task Two_replicas_share_state_see_each_others_changes_and_race_safely()
    {
        var a = await ConnectAsync();
        var b = await ConnectAsync();
        var agent = NewAgentName();
        var seenByB = new ConcurrentQueue<string>();
        using var watch = b.Watch(seenByB.Enqueue);

        Assert.True(await a.TryCommitAsync(Record(agent, 1), Event(1), None));
        await Eventually.TrueAsync(() => seenByB.Contains(agent), "replica B was told about A's commit");
        Assert.Equal(1, (await b.GetAgentAsync(agent, None))!.Generation);

        var added = await a.AddVersionAsync(agent, Version("v1").Hash, Version("v1").Create, None);
        Assert.Equal(ToJson(added.Version), ToJson(await b.GetVersionAsync(agent, 1, None)));
        Assert.False((await b.AddVersionAsync(agent, Version("v1").Hash, Version("v1").Create, None)).Created);

        var results = await Task.WhenAll(
            Task.Run(() => a.TryCommitAsync(Record(agent, 2, canaryPercent: 1), Event(2), None)),
            Task.Run(() => b.TryCommitAsync(Record(agent, 2, canaryPercent: 2), Event(2), None)));
        Assert.Equal(1, results.Count(r => r));
        Assert.Equal(2, (await a.GetHistoryAsync(agent, 10, None)).Count);
    }

    [Fact]
    public async Task All_keys_of_an_agent_share_one_hash_slot()
    {
        var store = await ConnectAsync();
        var agent = NewAgentName();
        Assert.True(await store.TryCommitAsync(Record(agent, 1), Event(1), None));
        await store.AddVersionAsync(agent, Version("v").Hash, Version("v").Create, None);
        await store.AcknowledgeAsync("r1", agent, 1, None);
        var raw = await RawAsync();
        var keys = new[] { "state", "history", "versions", "vhash", "acks" }.Select(k => Key(agent, k)).ToArray();

        foreach (var key in keys)
        {
            Assert.True(await raw.GetDatabase().KeyExistsAsync(key), $"{key} exists");
        }

        Assert.Single(keys.Select(k => raw.HashSlot(k)).Distinct());
    }

    [Fact]
    public void Fail_fast_defaults_apply_unless_the_configuration_string_sets_them()
    {
        var defaults = RedisConnection.CreateConfiguration("localhost:6379", new RedisStoreOptions());
        var explicitly = RedisConnection.CreateConfiguration("localhost:6379,syncTimeout=7000,abortConnect=true", new RedisStoreOptions());

        Assert.False(defaults.AbortOnConnectFail);
        Assert.Equal(2000, defaults.SyncTimeout);
        Assert.Equal(2000, defaults.AsyncTimeout);
        Assert.Equal(2000, defaults.ConnectTimeout);
        Assert.Same(BacklogPolicy.FailFast, defaults.BacklogPolicy);
        Assert.Equal(7000, explicitly.SyncTimeout);
        Assert.True(explicitly.AbortOnConnectFail);
    }

    private async Task<RedisStore> ConnectAsync(TimeSpan? pollInterval = null, TimeProvider? timeProvider = null)
    {
        var options = new RedisStoreOptions { KeyPrefix = _prefix, PollInterval = pollInterval ?? TimeSpan.FromSeconds(1) };
        var store = await RedisStore.ConnectAsync(redis.ConnectionString, timeProvider ?? TimeProvider.System, options);
        _disposables.Add(store);
        return store;
    }

    private async Task<ConnectionMultiplexer> RawAsync()
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        _disposables.Add(connection);
        return connection;
    }

    private RedisKey Key(string agent, string suffix) => $"{_prefix}:{{{agent}}}:{suffix}";

    private static async Task AssertFailsFastAsync(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<StoreUnavailableException>(action);
        Assert.True(clock.Elapsed < FailFastBound, $"failing took {clock.Elapsed}");
    }

    [Fact]
    public async Task A_lease_has_one_holder_until_it_lapses_then_another_replica_takes_over()
    {
        var a = await ConnectAsync(TimeSpan.FromHours(1));
        var b = await ConnectAsync(TimeSpan.FromHours(1));
        var lease = "evaluator-" + Guid.NewGuid().ToString("N");

        Assert.True(await a.TryAcquireLeaseAsync(lease, "replica-a", TimeSpan.FromMilliseconds(300), None));
        Assert.False(await b.TryAcquireLeaseAsync(lease, "replica-b", TimeSpan.FromSeconds(30), None));

        await Eventually.TrueAsync(() => b.TryAcquireLeaseAsync(lease, "replica-b", TimeSpan.FromSeconds(30), None), "the unrenewed lease lapses and B takes it");
        Assert.False(await a.TryAcquireLeaseAsync(lease, "replica-a", TimeSpan.FromSeconds(30), None));
    }
}
