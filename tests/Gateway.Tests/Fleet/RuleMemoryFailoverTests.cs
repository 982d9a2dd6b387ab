using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rollgate.Agents;
using Rollgate.Fleet;
using Rollgate.Release;
using Rollgate.Rules;
using Rollgate.Rules.Evaluation;
using Rollgate.Signals;
using Rollgate.Stores.Redis;
using Rollgate.Tests.Infrastructure;
using Rollgate.Versions;

namespace Rollgate.Tests.Fleet;

/// <summary>
/// The controller lease moving in the middle of a <c>for</c> window, on a real Redis: each controller has its own
/// connection, store, release manager and evaluator, as separate replicas do. The lease expires in real time; windows,
/// figures and history run on a fake clock.
/// </summary>
public sealed class RuleMemoryFailoverTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private const string Agent = "handover-bot";
    private const string AlertRule = "alert when error_rate > 5% for 10s";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<HistoryEvent> _notified = [];
    private readonly List<Controller> _controllers = [];
    private readonly Random _random = new(99);

    public Task InitializeAsync() => redis.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var controller in _controllers)
        {
            await controller.DisposeAsync();
        }
    }

    [Fact]
    public async Task After_a_lease_move_mid_window_the_next_controller_fires_at_the_original_deadline_and_nobody_fires_twice()
    {
        var a = await StartControllerAsync("replica-a");
        await DeployFailingCanaryAsync(a);
        await TrafficAsync(seconds: 60);
        var heldSince = _time.GetUtcNow();

        for (var second = 0; second < 6; second++)
        {
            await a.Service.TickAsync(default);
            Assert.True(a.Service.IsLeader);
            await TrafficAsync(seconds: 1);
        }

        Assert.Equal(RuleStateKind.Pending, (await a.Board.ReadAsync(Agent, default))!.Single().State);

        // A dies. Its lease lapses (real time) while the traffic goes on; B takes over and carries on A's window.
        await a.DisposeAsync();
        await TrafficAsync(seconds: 2);
        var b = await StartControllerAsync("replica-b", diesAfterNotifying: true);
        await TakeOverAsync(b);
        while (_time.GetUtcNow() < heldSince.AddSeconds(10))
        {
            await TrafficAsync(seconds: 1);
            await b.Service.TickAsync(default);
        }

        var alert = Assert.Single(await b.Store.GetHistoryAsync(Agent, 20, default), e => e.Type == HistoryEventTypes.Alert);
        Assert.Equal(heldSince.AddSeconds(10), alert.At);
        Assert.Equal(10_000, alert.DetectMs);

        // B ended right after its commit (its notifier threw), before it wrote its rule memory. C takes over and keeps
        // evaluating while the condition still holds: the alert is not fired again.
        await b.DisposeAsync();
        await TrafficAsync(seconds: 2);
        var c = await StartControllerAsync("replica-c");
        await TakeOverAsync(c);
        for (var second = 0; second < 15; second++)
        {
            await TrafficAsync(seconds: 1);
            await c.Service.TickAsync(default);
        }

        Assert.Single(await c.Store.GetHistoryAsync(Agent, 20, default), e => e.Type == HistoryEventTypes.Alert);
        Assert.Equal([alert.Id], _notified.Select(e => e.Id));
        Assert.Equal(RuleStateKind.Firing, (await c.Board.ReadAsync(Agent, default))!.Single().State);
    }

    /// <summary>Ticks until the previous controller's lease has lapsed; the clock stands still meanwhile.</summary>
    private static Task TakeOverAsync(Controller next) => Eventually.TrueAsync(async () =>
    {
        await next.Service.TickAsync(default);
        return next.Service.IsLeader;
    }, $"{next.Id} took over the lease", TimeSpan.FromSeconds(15));

    private async Task DeployFailingCanaryAsync(Controller via)
    {
        await via.Releases.DefineAsync(Agent, new AgentDefinition { Rules = [AlertRule], BakeTime = TimeSpan.FromHours(1) }, new CommandIssuer("op"), default);
        foreach (var number in new[] { 1, 2 })
        {
            var draft = VersionComposer.Compose(new VersionManifest { Notes = $"v{number}" }, null, 0, _time.GetUtcNow(), "op");
            var content = draft with { Hash = draft.Hash + number };
            await via.Store.AddVersionAsync(Agent, content.Hash, n => content with { Number = n }, default);
        }

        await via.Releases.DeployAsync(Agent, new Deployment(1) { Strategy = DeployStrategy.Immediate }, new CommandIssuer("op"), default);
        _time.Advance(TimeSpan.FromHours(2));
        await via.Releases.DeployAsync(Agent, new Deployment(2) { Strategy = DeployStrategy.Canary, Steps = [10, 100], StepDuration = TimeSpan.FromHours(1) }, new CommandIssuer("op"), default);
    }

    /// <summary>Per second: the stable serves 20 requests without errors, the canary 10 with half of them failing.</summary>
    private async Task TrafficAsync(int seconds)
    {
        await using var connection = await RedisConnection.ConnectAsync(redis.ConnectionString);
        var figures = new RedisFigureStore(connection, keyPrefix: _prefix);
        for (var s = 0; s < seconds; s++)
        {
            var second = _time.GetUtcNow().ToUnixTimeSeconds();
            var stable = new FigureSummary();
            var canary = new FigureSummary();
            for (var i = 0; i < 20; i++)
            {
                stable.Record(new RequestSignal(false, 50, 0, 100, 20, TaskOutcome.None));
            }

            for (var i = 0; i < 10; i++)
            {
                canary.Record(new RequestSignal(_random.NextDouble() < 0.5, 50, 0, 100, 20, TaskOutcome.None));
            }

            await figures.AddAsync([new FigureDelta(Agent, 1, second, stable), new FigureDelta(Agent, 2, second, canary)], default);
            _time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    private async Task<Controller> StartControllerAsync(string id, bool diesAfterNotifying = false)
    {
        var store = await RedisStore.ConnectAsync(redis.ConnectionString, _time, new RedisStoreOptions { KeyPrefix = _prefix });
        var connection = store.Connection;
        var releases = TestReleases.Commands(store, _time);
        var board = new RedisRuleStateBoard(connection, _prefix);
        var options = new ControllerOptions(id, TimeSpan.FromMilliseconds(100));
        var evaluator = new RuleEvaluator(store, new RedisFigureStore(connection, keyPrefix: _prefix), releases, board,
            new RedisRuleMemoryStore(connection, _prefix), new Notifier(_notified, diesAfterNotifying), options, _time, NullLogger<RuleEvaluator>.Instance);
        var service = new ControllerService(store, [evaluator], options, _time, NullLogger<ControllerService>.Instance);
        var controller = new Controller(id, store, releases, board, service);
        _controllers.Add(controller);
        return controller;
    }

    private sealed record Controller(string Id, RedisStore Store, ReleaseCommands Releases, RedisRuleStateBoard Board, ControllerService Service) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Store.DisposeAsync();
    }

    private sealed class Notifier(List<HistoryEvent> notified, bool diesAfterNotifying) : IRuleFiringNotifier
    {
        public void Notify(AgentRecord record, HistoryEvent historyEvent, Rule rule)
        {
            lock (notified)
            {
                notified.Add(historyEvent);
            }

            if (diesAfterNotifying)
            {
                throw new InvalidOperationException("the controller's process ended right after its commit");
            }
        }
    }
}
