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
/// Drift rules (<c>against previous D</c>) on a fake clock: a baked stable is compared with its own figures from before
/// the window. A stable whose judged quality steps down is rolled back to the previous version; a steady one is left alone.
/// </summary>
public sealed class DriftRuleTests : IAsyncLifetime
{
    private const string QualityDrift = "rollback when quality_score drops by 10% against previous 24h over 1h with 99% confidence";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "rollgate-drift-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 10, 0, 0, TimeSpan.Zero));
    private readonly InMemoryRuleStateBoard _board = new();
    private readonly Random _random = new(1717);
    private FileStore _store = null!;
    private InMemoryFigureStore _figures = null!;
    private CountingFigureStore _reads = null!;
    private ReleaseCommands _releases = null!;
    private RuleEvaluator _evaluator = null!;

    public Task InitializeAsync()
    {
        _store = FileStore.Open(_dataDir);
        _figures = new InMemoryFigureStore(_time, new FigureStoreOptions { MinuteRetention = TimeSpan.FromHours(26) });
        _releases = TestReleases.Commands(_store, _time);
        _reads = new CountingFigureStore(_figures);
        _evaluator = new RuleEvaluator(_store, _reads, _releases, _board, new FileRuleMemoryStore(_dataDir), new NoNotifier(),
            new ControllerOptions("test", TimeSpan.FromSeconds(1)), _time, NullLogger<RuleEvaluator>.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task A_baked_stable_whose_quality_steps_down_is_rolled_back_to_the_previous_version_with_both_windows_as_evidence()
    {
        await BakedStableAsync("drift-bot", QualityDrift);
        await ScoresAsync("drift-bot", minutes: 25 * 60, mean: 0.84, evaluate: false);

        // The provider's silent update: the same version now answers worse.
        var evaluations = await ScoresAsync("drift-bot", minutes: 60, mean: 0.71, evaluate: true, stopWhenRolledBack: true);

        var record = (await _store.GetAgentAsync("drift-bot", default))!;
        Assert.Equal(1, record.State.Stable);
        Assert.InRange(evaluations, 1, 60);
        var rollback = (await _store.GetHistoryAsync("drift-bot", 1, default)).Single();
        Assert.Equal(("rollback", 2, 1), (rollback.Type, rollback.From, rollback.To));
        Assert.Equal("rule: " + QualityDrift, rollback.Actor);
        var evidence = rollback.Evidence!.Value;
        var subject = evidence.GetProperty("subject");
        var baseline = evidence.GetProperty("baseline");
        Assert.Equal(2, subject.GetProperty("version").GetInt32());
        Assert.Equal(2, baseline.GetProperty("version").GetInt32());
        Assert.InRange(subject.GetProperty("value").GetDouble(), 0.60, 0.80);
        Assert.InRange(baseline.GetProperty("value").GetDouble(), 0.81, 0.87);
        Assert.Equal("24h", baseline.GetProperty("window").GetProperty("previous").GetString());
        // The earlier window is 24 hours of whole minutes, ending at the last whole minute before the subject's window.
        var windowFrom = evidence.GetProperty("window").GetProperty("from").GetDateTimeOffset();
        var baselineTo = baseline.GetProperty("window").GetProperty("to").GetDateTimeOffset();
        Assert.InRange(windowFrom - baselineTo, TimeSpan.Zero, TimeSpan.FromSeconds(59));
        Assert.Equal(0, baselineTo.Second);
        Assert.Equal(baselineTo - TimeSpan.FromHours(24), baseline.GetProperty("window").GetProperty("from").GetDateTimeOffset());
        Assert.True(evidence.GetProperty("confidence").GetProperty("statistic").GetDouble() >= evidence.GetProperty("confidence").GetProperty("threshold").GetDouble());
    }

    [Fact]
    public async Task A_steady_stable_checked_every_minute_is_never_rolled_back()
    {
        await BakedStableAsync("steady-bot", QualityDrift, "alert when error_rate > 2x baseline against previous 1h over 10m");
        await ScoresAsync("steady-bot", minutes: 25 * 60, mean: 0.84, evaluate: false);

        await ScoresAsync("steady-bot", minutes: 3 * 60, mean: 0.84, evaluate: true);

        var record = (await _store.GetAgentAsync("steady-bot", default))!;
        Assert.Equal(2, record.State.Stable);
        Assert.DoesNotContain(await _store.GetHistoryAsync("steady-bot", 10, default), e => e.Type is "rollback" or "alert");
        Assert.All((await _board.ReadAsync("steady-bot", default))!, status => Assert.Equal(RuleStateKind.Ok, status.State));
    }

    [Fact]
    public async Task Too_few_scores_in_either_window_is_insufficient_data()
    {
        await BakedStableAsync("young-bot", "rollback when quality_score drops by 10% against previous 24h over 1h min 100 requests");
        await ScoresAsync("young-bot", minutes: 60, mean: 0.84, evaluate: false, perMinute: 1); // 60 scores before the window
        await ScoresAsync("young-bot", minutes: 60, mean: 0.20, evaluate: true);                 // 3,600 bad ones in it

        Assert.Equal(2, (await _store.GetAgentAsync("young-bot", default))!.State.Stable);
        var status = (await _board.ReadAsync("young-bot", default))!.Single();
        Assert.Equal(RuleStateKind.InsufficientData, status.State);
        Assert.Equal(60, status.BaselineRequests);
    }

    [Fact]
    public async Task A_day_long_baseline_is_read_once_a_minute_not_at_every_evaluation()
    {
        await BakedStableAsync("cached-bot", QualityDrift);
        await ScoresAsync("cached-bot", minutes: 25 * 60, mean: 0.84, evaluate: false);

        for (var second = 0; second < 180; second++)
        {
            await _evaluator.EvaluateAsync(default);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(180, _reads.Reads(TimeSpan.FromHours(1)));
        Assert.InRange(_reads.Reads(TimeSpan.FromHours(24)), 3, 4);
        Assert.Equal(RuleStateKind.Ok, (await _board.ReadAsync("cached-bot", default))!.Single().State);
    }

    [Fact]
    public void A_drift_rule_reaching_past_the_figure_retention_is_refused_and_one_within_it_accepted()
    {
        var definition = new AgentDefinition { Rules = [QualityDrift] };

        var refused = AgentDefinitionValidator.Validate(definition, TimeSpan.FromHours(2));
        var accepted = AgentDefinitionValidator.Validate(definition, TimeSpan.FromHours(25));

        var problem = Assert.Single(Assert.Single(refused.ToDictionary()).Value);
        Assert.Contains("reach back 25h", problem);
        Assert.Contains("Rollgate:Figures:MinuteRetention", problem);
        Assert.True(accepted.IsEmpty);
    }

    private async Task BakedStableAsync(string agent, params string[] rules)
    {
        await _releases.DefineAsync(agent, new AgentDefinition { Rules = rules, BakeTime = TimeSpan.FromHours(1), Mode = AgentModes.OpenAi }, new CommandIssuer("op"), default);
        foreach (var number in new[] { 1, 2 })
        {
            var draft = VersionComposer.Compose(new VersionManifest { Notes = $"v{number}" }, null, 0, _time.GetUtcNow(), "op");
            var content = draft with { Hash = draft.Hash + number };
            await _store.AddVersionAsync(agent, content.Hash, n => content with { Number = n }, default);
        }

        await _releases.DeployAsync(agent, new Deployment(1) { Strategy = DeployStrategy.Immediate }, new CommandIssuer("op"), default);
        await _releases.DeployAsync(agent, new Deployment(2) { Strategy = DeployStrategy.Immediate }, new CommandIssuer("op"), default);
        _time.Advance(TimeSpan.FromHours(2)); // v2 is baked: only drift and absolute rules watch it now
    }

    /// <summary>
    /// Records <paramref name="minutes"/> minutes of version 2's traffic, one figure delta a minute: 60 requests with as
    /// many judge scores of 0 or 1 (mean <paramref name="mean"/>, the widest spread a score can have), and an error rate
    /// of 1%. Evaluates after every minute when asked; returns the evaluations made.
    /// </summary>
    private async Task<int> ScoresAsync(string agent, int minutes, double mean, bool evaluate, int perMinute = 60, bool stopWhenRolledBack = false)
    {
        var evaluations = 0;
        for (var minute = 0; minute < minutes; minute++)
        {
            var figures = new FigureSummary();
            for (var i = 0; i < perMinute; i++)
            {
                figures.Record(new RequestSignal(_random.NextDouble() < 0.01, 200, 0, 0, 0, TaskOutcome.None));
                figures.RecordQuality(_random.NextDouble() < mean ? 1 : 0);
            }

            await _figures.AddAsync([new FigureDelta(agent, 2, _time.GetUtcNow().ToUnixTimeSeconds(), figures)], default);
            _time.Advance(TimeSpan.FromMinutes(1));
            if (!evaluate)
            {
                continue;
            }

            await _evaluator.EvaluateAsync(default);
            evaluations++;
            if (stopWhenRolledBack && (await _store.GetAgentAsync(agent, default))!.State.Stable != 2)
            {
                break;
            }
        }

        return evaluations;
    }

    /// <summary>Counts the reads of each window length.</summary>
    private sealed class CountingFigureStore(IFigureStore inner) : IFigureStore
    {
        private readonly List<TimeSpan> _windows = [];

        public int Reads(TimeSpan window) => _windows.Count(w => w == window);

        public Task AddAsync(IReadOnlyList<FigureDelta> deltas, CancellationToken cancellationToken) => inner.AddAsync(deltas, cancellationToken);

        public Task<IReadOnlyDictionary<int, FigureSummary>> ReadAsync(string agent, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
        {
            _windows.Add(to - from);
            return inner.ReadAsync(agent, from, to, cancellationToken);
        }
    }

    private sealed class NoNotifier : IRuleFiringNotifier
    {
        public void Notify(AgentRecord record, HistoryEvent historyEvent, Rule rule)
        {
        }
    }
}
