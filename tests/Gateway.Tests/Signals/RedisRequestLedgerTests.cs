using Microsoft.Extensions.Time.Testing;
using Rollgate.Signals;
using Rollgate.Stores;
using Rollgate.Tests.Infrastructure;
using StackExchange.Redis;
using static Rollgate.Tests.Signals.SignalTestSupport;
using Rollgate.Stores.Redis;

namespace Rollgate.Tests.Signals;

public sealed class RedisRequestLedgerTests(RedisServer redis) : RequestLedgerContractTests, IClassFixture<RedisServer>
{
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..12];
    private IConnectionMultiplexer _connection = null!;

    public override async Task InitializeAsync() => _connection = await RedisConnection.ConnectAsync(redis.ConnectionString);

    public override async Task DisposeAsync() => await _connection.DisposeAsync();

    protected override Task<IRequestLedger> CreateLedgerAsync(FakeTimeProvider clock, RequestLedgerOptions options)
        => Task.FromResult<IRequestLedger>(new RedisRequestLedger(_connection, clock, options, _prefix));

    [Fact]
    public async Task Hour_keys_carry_the_agent_tag_and_expire_after_26_hours()
    {
        var ledger = new RedisRequestLedger(_connection, Clock, keyPrefix: _prefix);
        var agent = NewAgent();
        ledger.Remember(agent, "req-1", 5);
        Clock.Advance(TimeSpan.FromHours(1));
        ledger.Remember(agent, "req-2", 6);
        await ledger.FlushAsync(None);

        var server = _connection.GetServer(_connection.GetEndPoints()[0]);
        var keys = server.Keys(pattern: $"{_prefix}:{{{agent}}}:req:*").ToList();
        Assert.Equal(2, keys.Count);
        foreach (var key in keys)
        {
            var ttl = await _connection.GetDatabase().KeyTimeToLiveAsync(key);
            Assert.NotNull(ttl);
            Assert.InRange(ttl.Value, TimeSpan.FromHours(26) - TimeSpan.FromMinutes(1), TimeSpan.FromHours(26));
        }

        var hour = Clock.GetUtcNow().ToUnixTimeSeconds() / 3600;
        Assert.Equal("6", (await _connection.GetDatabase().HashGetAsync($"{_prefix}:{{{agent}}}:req:{hour}", "req-2")).ToString());
    }

    [Fact]
    public async Task A_full_batch_is_written_without_waiting_for_the_periodic_flush()
    {
        await using var otherConnection = await RedisConnection.ConnectAsync(redis.ConnectionString);
        var options = new RequestLedgerOptions { FlushBatch = 8 };
        var servedBy = new RedisRequestLedger(_connection, Clock, options, _prefix);
        var reportedTo = new RedisRequestLedger(otherConnection, Clock, options, _prefix);
        var agent = NewAgent();
        for (var i = 0; i < 8; i++)
        {
            servedBy.Remember(agent, $"req-{i}", 20 + i);
        }

        // No FlushAsync on the serving ledger: the eighth id asked for the write itself.
        await Eventually.TrueAsync(async () => await reportedTo.FindAsync(agent, "req-7", None) == 27, "the batch reached Redis");
        Assert.Equal(20, await reportedTo.FindAsync(agent, "req-0", None));
        Assert.Equal(0, servedBy.Pending);
    }

    [Fact]
    public async Task Another_replica_finds_what_one_flushed()
    {
        await using var otherConnection = await RedisConnection.ConnectAsync(redis.ConnectionString);
        var servedBy = new RedisRequestLedger(_connection, Clock, keyPrefix: _prefix);
        var reportedTo = new RedisRequestLedger(otherConnection, Clock, keyPrefix: _prefix);
        var agent = NewAgent();
        servedBy.Remember(agent, "req-9", 14);
        Assert.Null(await reportedTo.FindAsync(agent, "req-9", None)); // not flushed yet

        await servedBy.FlushAsync(None);
        Assert.Equal(14, await reportedTo.FindAsync(agent, "req-9", None));
    }

    [Fact]
    public async Task Long_ids_are_stored_by_hash_and_still_found()
    {
        var ledger = new RedisRequestLedger(_connection, Clock, keyPrefix: _prefix);
        var agent = NewAgent();
        var id = new string('x', 5_000);
        ledger.Remember(agent, id, 8);
        await ledger.FlushAsync(None);

        Assert.Equal(8, await ledger.FindAsync(agent, id, None));
        var hour = Clock.GetUtcNow().ToUnixTimeSeconds() / 3600;
        var field = Assert.Single(await _connection.GetDatabase().HashKeysAsync($"{_prefix}:{{{agent}}}:req:{hour}"));
        Assert.Equal(65, field.ToString().Length); // "#" + SHA-256 hex
    }

    [Fact]
    public async Task Without_redis_remember_keeps_buffering_and_find_reports_unavailable()
    {
        await using var dead = await RedisConnection.ConnectAsync($"127.0.0.1:{FreePort.Get()},connectTimeout=200");
        var ledger = new RedisRequestLedger(dead, Clock, keyPrefix: _prefix);
        ledger.Remember("support-bot", "req-1", 1);
        await ledger.FlushAsync(None); // does not throw
        Assert.Equal(1, ledger.Pending);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => ledger.FindAsync("support-bot", "req-1", None));
    }
}
