using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rollgate.Agents;
using Rollgate.Fleet;
using Rollgate.Release;
using Rollgate.Rules;
using Rollgate.Rules.Evaluation;
using Rollgate.Signals;
using Rollgate.Stores.File;
using Rollgate.Tests.Infrastructure;
using Rollgate.Versions;

namespace Rollgate.Tests.Rules.Evaluation;

/// <summary>
/// The evaluator end to end but in-process: real file store, real release commands, in-memory figures, and a fake
/// clock driving windows, <c>for</c> durations and bake time.
/// </summary>
public sealed class RuleEvaluatorTests : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "rollgate-eval-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly CapturingNotifier _notifier = new();
    private readonly InMemoryRuleStateBoard _board = new();
    private readonly Random _random = new(1234);
    private FileStore _store = null!;
    private InMemoryFigureStore _figures = null!;
    private ReleaseCommands _releases = null!;
    private RuleEvaluator _evaluator = null!;

    public Task InitializeAsync()
    {
        _store = FileStore.Open(_dataDir);
        _figures = new InMemoryFigureStore(_time);
        _releases = TestReleases.Commands(_store, _time);
        _evaluator = NewEvaluator();
        return Task.CompletedTask;
    }

    /// <summary>A fresh evaluator with a fresh view of the data directory: what a restarted process has.</summary>
    private RuleEvaluator NewEvaluator(IRuleFiringNotifier? notifier = null)
        => new(_store, _figures, _releases, _board, new FileRuleMemoryStore(_dataDir), notifier ?? _notifier,
            new ControllerOptions("test", TimeSpan.FromSeconds(1)), _time, NullLogger<RuleEvaluator>.Instance);

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task A_failing_canary_is_rolled_back_with_evidence_and_a_webhook_notification()
    {
        await CanaryAsync("failing-bot", "rollback when error_rate > 15% over 10s min 20 requests");

        await TrafficAsync("failing-bot", seconds: 10, (1, 50, 0.01), (2, 10, 0.40));
        await _evaluator.EvaluateAsync(default);

        var record = (await _store.GetAgentAsync("failing-bot", default))!;
        Assert.Null(record.State.Canary);
        Assert.Equal(ReleaseStatus.RolledBack, record.State.Status);
        var rollback = (await _store.GetHistoryAsync("failing-bot", 1, default)).Single();
        Assert.Equal("rollback", rollback.Type);
        Assert.Equal("rule: rollback when error_rate > 15% over 10s min 20 requests", rollback.Actor);
        Assert.Equal(2, rollback.From);
        Assert.Equal(1, rollback.To);
        Assert.Equal(0, rollback.DetectMs);
        var evidence = rollback.Evidence!.Value;
        Assert.Equal("rollback when error_rate > 15% over 10s min 20 requests", evidence.GetProperty("rule").GetString());
        Assert.Equal(100, evidence.GetProperty("subject").GetProperty("requests").GetInt64());
        Assert.InRange(evidence.GetProperty("subject").GetProperty("value").GetDouble(), 0.25, 0.55);
        Assert.Equal(500, evidence.GetProperty("baseline").GetProperty("requests").GetInt64());
        Assert.Equal("10s", evidence.GetProperty("window").GetProperty("over").GetString());
        Assert.Equal(rollback.Id, Assert.Single(_notifier.Events).Id);
    }

    [Fact]
    public async Task A_version_restored_by_a_rollback_is_not_on_probation_against_the_version_it_replaced()
    {
        await AgentAsync("restored-bot", "rollback when error_rate > 15% over 10s min 20 requests", "rollback when error_rate > 1.5x baseline over 10s min 20 requests");
        await DeployAsync("restored-bot", 1);
        await DeployAsync("restored-bot", 2);
        await DeployAsync("restored-bot", 3);
        await TrafficAsync("restored-bot", seconds: 10, (3, 50, 0.0));
        await _releases.RollbackAsync("restored-bot", null, "bad answers", RollbackTrigger.Manual, new CommandIssuer("op"), default);

        await TrafficAsync("restored-bot", seconds: 10, (2, 50, 0.40));
        await EvaluateEverySecondAsync(3);

        var record = (await _store.GetAgentAsync("restored-bot", default))!;
        Assert.Equal(2, record.State.Stable);
        Assert.Equal("rollback", (await _store.GetHistoryAsync("restored-bot", 1, default)).Single().Type);
        Assert.Empty(_notifier.Events);
        Assert.All((await _board.ReadAsync("restored-bot", default))!, status => Assert.Equal(RuleStateKind.Ok, status.State));
    }

    [Fact]
    public async Task Two_rollback_rules_holding_at_once_roll_back_once_and_the_rule_that_acted_shows_as_firing()
    {
        await AgentAsync("double-bot", "rollback when error_rate > 15% over 10s min 20 requests", "rollback when error_rate > 10% over 10s min 20 requests");
        await DeployAsync("double-bot", 1);
        _time.Advance(TimeSpan.FromHours(2));
        await _releases.DeployAsync("double-bot", new Deployment(2) { Strategy = DeployStrategy.Canary, Steps = [50, 100], StepDuration = TimeSpan.FromHours(1) }, new CommandIssuer("op"), default);

        await TrafficAsync("double-bot", seconds: 10, (1, 20, 0.0), (2, 10, 0.5));
        await _evaluator.EvaluateAsync(default);
        await _evaluator.EvaluateAsync(default);

        var history = await _store.GetHistoryAsync("double-bot", 10, default);
        Assert.Single(history, e => e.Type == "rollback");
        Assert.Single(_notifier.Events);
        var statuses = (await _board.ReadAsync("double-bot", default))!;
        Assert.Equal(RuleStateKind.Firing, statuses[0].State);
        Assert.Equal(2, statuses[0].Subject);
        Assert.NotEqual(RuleStateKind.Firing, statuses[1].State);
    }

    [Fact]
    public async Task Rules_of_an_agent_with_nothing_deployed_have_insufficient_data()
    {
        await _releases.DefineAsync("idle-bot", new AgentDefinition { Rules = ["alert when error_rate > 5%"] }, new CommandIssuer("op"), default);

        await _evaluator.EvaluateAsync(default);

        Assert.Equal(RuleStateKind.InsufficientData, (await _board.ReadAsync("idle-bot", default))!.Single().State);
    }

    [Fact]
    public async Task For_requires_the_condition_at_every_evaluation_for_that_long_and_detect_time_counts_from_the_first()
    {
        await CanaryAsync("slow-fire-bot", "rollback when error_rate > 15% over 30s for 2m min 20 requests");

        for (var second = 0; second < 150; second++)
        {
            await TrafficAsync("slow-fire-bot", seconds: 1, (1, 20, 0.0), (2, 5, 0.5));
            await _evaluator.EvaluateAsync(default);
            var status = (await _board.ReadAsync("slow-fire-bot", default))!.Single();
            var canary = (await _store.GetAgentAsync("slow-fire-bot", default))!.State.Canary;
            if (canary is null)
            {
                break;
            }

            Assert.NotEqual(RuleStateKind.Firing, status.State);
        }

        var rollback = (await _store.GetHistoryAsync("slow-fire-bot", 1, default)).Single();
        Assert.Equal("rollback", rollback.Type);
        Assert.InRange(rollback.DetectMs!.Value, 120_000, 121_000);
    }

    [Fact]
    public async Task A_condition_that_stops_holding_resets_the_for_timer()
    {
        await CanaryAsync("flappy-bot", "rollback when error_rate > 15% over 5s for 10s min 20 requests");

        await TrafficAsync("flappy-bot", seconds: 8, (1, 20, 0.0), (2, 10, 0.5));
        await EvaluateEverySecondAsync(0);
        await TrafficAsync("flappy-bot", seconds: 6, (1, 20, 0.0), (2, 10, 0.0)); // recovers: window clean
        await _evaluator.EvaluateAsync(default);
        var cleared = (await _board.ReadAsync("flappy-bot", default))!.Single();
        await TrafficAsync("flappy-bot", seconds: 6, (1, 20, 0.0), (2, 10, 0.5));
        await _evaluator.EvaluateAsync(default);
        var pending = (await _board.ReadAsync("flappy-bot", default))!.Single();

        Assert.Equal(RuleStateKind.Ok, cleared.State);
        Assert.Equal(RuleStateKind.Pending, pending.State);
        Assert.NotNull((await _store.GetAgentAsync("flappy-bot", default))!.State.Canary);
    }

    [Fact]
    public async Task Too_few_requests_is_insufficient_data_and_never_fires()
    {
        await CanaryAsync("quiet-bot", "rollback when error_rate > 15% over 10s");

        await TrafficAsync("quiet-bot", seconds: 10, (1, 10, 0.0), (2, 1, 1.0)); // 10 canary requests, all failing
        await _evaluator.EvaluateAsync(default);

        var status = (await _board.ReadAsync("quiet-bot", default))!.Single();
        Assert.Equal(RuleStateKind.InsufficientData, status.State);
        Assert.Equal(10, status.SubjectRequests);
        Assert.NotNull((await _store.GetAgentAsync("quiet-bot", default))!.State.Canary);
    }

    [Fact]
    public async Task A_canary_as_good_as_stable_is_never_rolled_back_by_a_confident_relative_rule()
    {
        await CanaryAsync("good-bot", "rollback when error_rate > 1.5x baseline over 1m with 99% confidence");

        for (var second = 0; second < 300; second++)
        {
            await TrafficAsync("good-bot", seconds: 1, (1, 190, 0.02), (2, 10, 0.02));
            await _evaluator.EvaluateAsync(default);
        }

        Assert.Equal(2, (await _store.GetAgentAsync("good-bot", default))!.State.Canary);
        Assert.Empty(_notifier.Events);
    }

    [Fact]
    public async Task A_clearly_worse_canary_is_caught_by_the_confident_relative_rule()
    {
        await CanaryAsync("worse-bot", "rollback when error_rate > 1.5x baseline over 5m with 99% confidence");

        var seconds = 0;
        while ((await _store.GetAgentAsync("worse-bot", default))!.State.Canary is not null && seconds++ < 120)
        {
            await TrafficAsync("worse-bot", seconds: 1, (1, 190, 0.012), (2, 10, 0.084));
            await _evaluator.EvaluateAsync(default);
        }

        var rollback = (await _store.GetHistoryAsync("worse-bot", 1, default)).Single();
        Assert.Equal("rollback", rollback.Type);
        var confidence = rollback.Evidence!.Value.GetProperty("confidence");
        Assert.True(confidence.GetProperty("statistic").GetDouble() >= confidence.GetProperty("threshold").GetDouble());
        Assert.Equal(0.99, confidence.GetProperty("level").GetDouble());
    }

    [Fact]
    public async Task During_the_bake_the_baseline_is_the_previous_stable_before_the_switch()
    {
        await AgentAsync("bake-bot", "rollback when cost_per_request > 3x baseline over 1m");
        await DeployAsync("bake-bot", 1);
        await TrafficAsync("bake-bot", seconds: 60, (1, 5, 0.0, 0.001));
        await DeployAsync("bake-bot", 2);                                     // v2 starts baking; v1's last minute is the baseline
        await TrafficAsync("bake-bot", seconds: 60, (2, 5, 0.0, 0.005));      // five times the cost
        await _evaluator.EvaluateAsync(default);

        var record = (await _store.GetAgentAsync("bake-bot", default))!;
        Assert.Equal(1, record.State.Stable);
        var evidence = (await _store.GetHistoryAsync("bake-bot", 1, default)).Single().Evidence!.Value;
        Assert.Equal(1, evidence.GetProperty("baseline").GetProperty("version").GetInt32());
        Assert.Equal(0.001, evidence.GetProperty("baseline").GetProperty("value").GetDouble(), precision: 9);
    }

    [Fact]
    public async Task After_the_bake_only_absolute_alert_rules_watch_the_stable_and_an_alert_fires_once()
    {
        await AgentAsync("baked-bot", "alert when p95_latency > 2s over 1m", "rollback when error_rate > 5% over 1m");
        await DeployAsync("baked-bot", 1);
        _time.Advance(TimeSpan.FromHours(2));
        await TrafficAsync("baked-bot", seconds: 60, (1, 5, 0.5, 0, 3000));

        await _evaluator.EvaluateAsync(default);
        await _evaluator.EvaluateAsync(default);

        var record = (await _store.GetAgentAsync("baked-bot", default))!;
        Assert.Equal(1, record.State.Stable);
        var alert = (await _store.GetHistoryAsync("baked-bot", 10, default)).Where(e => e.Type == "alert").ToArray();
        Assert.Single(alert);
        Assert.Equal("rule: alert when p95_latency > 2s over 1m", alert[0].Actor);
        var statuses = (await _board.ReadAsync("baked-bot", default))!;
        Assert.Equal(RuleStateKind.Firing, statuses[0].State);
        Assert.Equal(RuleStateKind.Ok, statuses[1].State);
    }

    [Fact]
    public async Task A_pause_rule_pauses_the_rollout()
    {
        await CanaryAsync("pause-bot", "pause when p99_latency > 4s over 10s");

        await TrafficAsync("pause-bot", seconds: 10, (1, 20, 0, 0, 100), (2, 5, 0, 0, 5000));
        await _evaluator.EvaluateAsync(default);

        var record = (await _store.GetAgentAsync("pause-bot", default))!;
        Assert.Equal(ReleaseStatus.Paused, record.State.Status);
        Assert.Equal("pause", (await _store.GetHistoryAsync("pause-bot", 1, default)).Single().Type);
    }

    [Fact]
    public async Task A_restarted_evaluator_carries_on_the_for_window_and_fires_at_its_original_deadline()
    {
        await CanaryAsync("restart-bot", "alert when error_rate > 15% over 10s for 10s min 20 requests");
        await TrafficAsync("restart-bot", seconds: 10, (1, 20, 0.0), (2, 10, 0.5));
        var heldSince = _time.GetUtcNow();

        await EvaluateWithTrafficAsync("restart-bot", seconds: 5);
        Assert.Equal(RuleStateKind.Pending, (await _board.ReadAsync("restart-bot", default))!.Single().State);
        _evaluator = NewEvaluator(); // the process restarted
        await EvaluateWithTrafficAsync("restart-bot", seconds: 10);

        var alert = Assert.Single(await _store.GetHistoryAsync("restart-bot", 10, default), e => e.Type == "alert");
        Assert.Equal(heldSince.AddSeconds(10), alert.At);
        Assert.Equal(10_000, alert.DetectMs);
        Assert.Single(_notifier.Events);
    }

    [Fact]
    public async Task An_alert_committed_by_an_evaluator_that_died_before_remembering_it_is_not_fired_again()
    {
        await CanaryAsync("crash-bot", "alert when error_rate > 15% over 10s for 3s min 20 requests");
        await TrafficAsync("crash-bot", seconds: 10, (1, 20, 0.0), (2, 10, 0.5));
        await EvaluateWithTrafficAsync("crash-bot", seconds: 3);
        var dying = NewEvaluator(new CapturingNotifier(_notifier.Events) { DiesAfterNotifying = true });

        // The evaluator's process ends right after the alert's commit: its rule memory still says "pending".
        await Assert.ThrowsAsync<ControllerDiedException>(() => dying.EvaluateAsync(default));
        _evaluator = NewEvaluator();
        await EvaluateWithTrafficAsync("crash-bot", seconds: 5);

        Assert.Single(await _store.GetHistoryAsync("crash-bot", 10, default), e => e.Type == "alert");
        Assert.Single(_notifier.Events);
        Assert.Equal(RuleStateKind.Firing, (await _board.ReadAsync("crash-bot", default))!.Single().State);
    }

    [Fact]
    public async Task A_window_nobody_evaluated_for_longer_than_a_controller_handover_starts_over()
    {
        await CanaryAsync("gap-bot", "alert when error_rate > 15% over 10s for 10s min 20 requests");
        await TrafficAsync("gap-bot", seconds: 10, (1, 20, 0.0), (2, 10, 0.5));
        await EvaluateWithTrafficAsync("gap-bot", seconds: 5);

        await TrafficAsync("gap-bot", seconds: 20, (1, 20, 0.0), (2, 10, 0.5)); // no controller evaluated meanwhile
        _evaluator = NewEvaluator();
        var resumed = _time.GetUtcNow();
        await _evaluator.EvaluateAsync(default);
        var afterGap = (await _board.ReadAsync("gap-bot", default))!.Single();
        await TrafficAsync("gap-bot", seconds: 1, (1, 20, 0.0), (2, 10, 0.5));
        await EvaluateWithTrafficAsync("gap-bot", seconds: 10);

        Assert.Equal(RuleStateKind.Pending, afterGap.State);
        Assert.Equal(resumed.AddSeconds(10), Assert.Single(await _store.GetHistoryAsync("gap-bot", 10, default), e => e.Type == "alert").At);
    }

    [Fact]
    public async Task Rule_memory_is_forgotten_once_no_rule_is_pending_or_recently_fired()
    {
        await CanaryAsync("calm-bot", "alert when error_rate > 15% over 5s for 10s min 20 requests");
        await TrafficAsync("calm-bot", seconds: 5, (1, 20, 0.0), (2, 10, 0.5));
        await _evaluator.EvaluateAsync(default);
        var pending = await new FileRuleMemoryStore(_dataDir).ReadAsync("calm-bot", default);

        await TrafficAsync("calm-bot", seconds: 6, (1, 20, 0.0), (2, 10, 0.0));
        await _evaluator.EvaluateAsync(default);

        Assert.NotNull(pending);
        Assert.Single(pending.HeldSince);
        Assert.Null(await new FileRuleMemoryStore(_dataDir).ReadAsync("calm-bot", default));
    }

    // ---- set-up helpers ----

    private async Task AgentAsync(string agent, params string[] rules)
    {
        await _releases.DefineAsync(agent, new AgentDefinition { Rules = rules, BakeTime = TimeSpan.FromHours(1) }, new CommandIssuer("op"), default);
        foreach (var number in new[] { 1, 2, 3 })
        {
            var draft = VersionComposer.Compose(new VersionManifest { Notes = $"v{number}" }, null, 0, _time.GetUtcNow(), "op");
            var content = draft with { Hash = draft.Hash + number };
            await _store.AddVersionAsync(agent, content.Hash, n => content with { Number = n }, default);
        }
    }

    private Task DeployAsync(string agent, int version)
        => _releases.DeployAsync(agent, new Deployment(version) { Strategy = DeployStrategy.Immediate }, new CommandIssuer("op"), default);

    private async Task CanaryAsync(string agent, string rule)
    {
        await AgentAsync(agent, rule);
        await DeployAsync(agent, 1);
        _time.Advance(TimeSpan.FromHours(2)); // v1 is baked and known good
        await _releases.DeployAsync(agent, new Deployment(2) { Strategy = DeployStrategy.Canary, Steps = [5, 100], StepDuration = TimeSpan.FromHours(1) }, new CommandIssuer("op"), default);
    }

    /// <summary>Records <c>seconds</c> seconds of traffic (per version: requests per second, error rate, cost, latency) and advances the clock.</summary>
    private async Task TrafficAsync(string agent, int seconds, params (int Version, int PerSecond, double ErrorRate, double Cost, double LatencyMs)[] versions)
    {
        for (var s = 0; s < seconds; s++)
        {
            var second = _time.GetUtcNow().ToUnixTimeSeconds();
            var deltas = new List<FigureDelta>();
            foreach (var (version, perSecond, errorRate, cost, latency) in versions)
            {
                var summary = new FigureSummary();
                for (var i = 0; i < perSecond; i++)
                {
                    summary.Record(new RequestSignal(_random.NextDouble() < errorRate, latency, cost, 100, 20, TaskOutcome.None));
                }

                deltas.Add(new FigureDelta(agent, version, second, summary));
            }

            await _figures.AddAsync(deltas, default);
            _time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    private Task TrafficAsync(string agent, int seconds, params (int Version, int PerSecond, double ErrorRate)[] versions)
        => TrafficAsync(agent, seconds, versions.Select(v => (v.Version, v.PerSecond, v.ErrorRate, 0.0, 50.0)).ToArray());

    private Task TrafficAsync(string agent, int seconds, (int Version, int PerSecond, double ErrorRate, double Cost) version)
        => TrafficAsync(agent, seconds, (version.Version, version.PerSecond, version.ErrorRate, version.Cost, 50.0));

    private async Task EvaluateEverySecondAsync(int seconds)
    {
        for (var i = 0; i <= seconds; i++)
        {
            await _evaluator.EvaluateAsync(default);
        }
    }

    /// <summary>Evaluates once a second for <paramref name="seconds"/> seconds of a failing canary (10 requests a second, half failing).</summary>
    private async Task EvaluateWithTrafficAsync(string agent, int seconds)
    {
        for (var i = 0; i < seconds; i++)
        {
            await _evaluator.EvaluateAsync(default);
            await TrafficAsync(agent, seconds: 1, (1, 20, 0.0), (2, 10, 0.5));
        }
    }

    private sealed class CapturingNotifier(List<HistoryEvent>? events = null) : IRuleFiringNotifier
    {
        public List<HistoryEvent> Events { get; } = events ?? [];

        /// <summary>Stands for a controller process that ends right after its commit, before anything else.</summary>
        public bool DiesAfterNotifying { get; init; }

        public void Notify(AgentRecord record, HistoryEvent historyEvent, Rule rule)
        {
            Events.Add(historyEvent);
            if (DiesAfterNotifying)
            {
                throw new ControllerDiedException();
            }
        }
    }

    private sealed class ControllerDiedException : Exception;
}
