using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rollgate.Stores.Redis;
using Rollgate.Tests.Infrastructure;
using Rollgate.Tools;
using StackExchange.Redis;

namespace Rollgate.Tests.Tools;

/// <summary>What every <see cref="ICircuitBoard"/> must do: replace a replica's reports, void stale ones, tell watchers of changes.</summary>
public abstract class CircuitBoardContractTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    protected FakeTimeProvider Time { get; } = new(Start);

    protected ICircuitBoard Board { get; private set; } = null!;

    protected abstract Task<ICircuitBoard> CreateAsync();

    public virtual async Task InitializeAsync() => Board = await CreateAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_publish_replaces_what_the_replica_reported_and_leaves_the_others()
    {
        await Board.PublishAsync("r1", [Report("refund", "r1", CircuitState.Open), Report("search", "r1", CircuitState.Closed)], changed: true, default);
        await Board.PublishAsync("r2", [Report("refund", "r2", CircuitState.Closed)], changed: false, default);
        await Board.PublishAsync("r1", [Report("refund", "r1", CircuitState.HalfOpen)], changed: true, default);

        var reports = (await Board.ReadAsync(default)).OrderBy(r => r.Replica).ThenBy(r => r.Tool).ToArray();
        Assert.Equal([("r1", "refund", CircuitState.HalfOpen), ("r2", "refund", CircuitState.Closed)], reports.Select(r => (r.Replica, r.Tool, r.State)));
        Assert.Equal(Start, reports[0].OutageSince);
        Assert.Equal((10, 7), (reports[0].Calls, reports[0].Failures));

        var fleet = FleetCircuit.Of("refund", reports);
        Assert.Equal(CircuitState.HalfOpen, fleet.State);
        Assert.Equal(0.7, fleet.FailureRatio);
    }

    [Fact]
    public async Task A_report_not_renewed_within_its_lifetime_is_void()
    {
        await Board.PublishAsync("dead", [Report("refund", "dead", CircuitState.Open)], changed: true, default);
        Time.Advance(CircuitBoards.ReportLifetime);
        await Board.PublishAsync("alive", [Report("refund", "alive", CircuitState.Closed)], changed: false, default);
        Assert.Equal(2, (await Board.ReadAsync(default)).Count);

        Time.Advance(TimeSpan.FromSeconds(1));
        var live = await Board.ReadAsync(default);
        Assert.Equal(["alive"], live.Select(r => r.Replica));
        Assert.Equal(CircuitState.Closed, FleetCircuit.Of("refund", live).State);
    }

    [Fact]
    public async Task Watchers_are_told_of_changes_of_state()
    {
        var told = 0;
        using var watch = Board.Watch(() => Interlocked.Increment(ref told));
        // A watch may take a moment to be in place (a subscription): publish changes until it is told.
        await Eventually.TrueAsync(async () =>
        {
            await Board.PublishAsync("r1", [Report("refund", "r1", CircuitState.Open)], changed: true, default);
            return Volatile.Read(ref told) > 0;
        }, "the watcher was told");
    }

    protected CircuitReport Report(string tool, string replica, CircuitState state) => new()
    {
        Tool = tool,
        Replica = replica,
        State = state,
        Since = Time.GetUtcNow(),
        OutageSince = state == CircuitState.Closed ? null : Start,
        ReportedAt = Time.GetUtcNow(),
        Calls = 10,
        Failures = state == CircuitState.Closed ? 0 : 7,
    };
}

public sealed class InMemoryCircuitBoardTests : CircuitBoardContractTests
{
    protected override Task<ICircuitBoard> CreateAsync() => Task.FromResult<ICircuitBoard>(new InMemoryCircuitBoard(Time));
}

public sealed class RedisCircuitBoardTests(RedisServer redis) : CircuitBoardContractTests, IClassFixture<RedisServer>
{
    private ConnectionMultiplexer? _connection;

    protected override async Task<ICircuitBoard> CreateAsync()
    {
        _connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        return new RedisCircuitBoard(_connection, "test-" + Guid.NewGuid().ToString("N"), Time, NullLogger.Instance);
    }

    public override async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}
