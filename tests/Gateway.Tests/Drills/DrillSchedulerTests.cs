using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rollgate.Agents;
using Rollgate.Drills;
using Rollgate.Notifications;
using Rollgate.Release;
using Rollgate.Stores.File;
using Rollgate.Tests.Infrastructure;
using Rollgate.Versions;

namespace Rollgate.Tests.Drills;

/// <summary>Scheduled drills on a fake clock, through the real release commands, drill runner and file store.</summary>
public sealed class DrillSchedulerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "rollgate-drills-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(Start);
    private readonly FakeProbe _probe = new();
    private readonly HttpClient _http = new();
    private FileStore _store = null!;
    private ReleaseCommands _releases = null!;
    private WebhookNotifier _webhooks = null!;
    private DrillRunner _runner = null!;
    private DrillScheduler _scheduler = null!;

    public Task InitializeAsync()
    {
        _store = FileStore.Open(_dataDir);
        _releases = TestReleases.Commands(_store, _time);
        _webhooks = new WebhookNotifier(_http, new WebhookOptions(), _time, NullLogger<WebhookNotifier>.Instance);
        _runner = new DrillRunner(_releases, _probe, _webhooks, _time);
        _scheduler = new DrillScheduler(_store, _runner, _time);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _webhooks.Dispose();
        _http.Dispose();
        await _store.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task A_drill_runs_once_every_period_counted_from_creation_then_from_the_last_drill()
    {
        await ReleaseTwoVersionsAsync("every-bot", new DrillSettings { Every = TimeSpan.FromDays(30) });

        _time.Advance(TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await _scheduler.TickAsync(default));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await _scheduler.TickAsync(default));
        Assert.Equal(0, await _scheduler.TickAsync(default));

        var record = (await _store.GetAgentAsync("every-bot", default))!;
        Assert.Equal((2, ReleaseStatus.Stable), (record.State.Stable!.Value, record.State.Status));
        Assert.Equal("passed", record.State.Drill!.LastResult);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromDays(30), DrillScheduler.NextDueAt(record));
        var history = await _store.GetHistoryAsync("every-bot", 3, default);
        Assert.Equal(["drill", "restore", "rollback"], history.Select(e => e.Type));
        Assert.All(history, e => Assert.Equal(DrillScheduler.Actor, e.Actor));

        _time.Advance(TimeSpan.FromDays(30));
        Assert.Equal(1, await _scheduler.TickAsync(default));
    }

    [Fact]
    public async Task A_due_drill_waits_while_a_canary_rolls_out_and_runs_once_the_release_is_settled()
    {
        await ReleaseTwoVersionsAsync("busy-bot", new DrillSettings { Every = TimeSpan.FromSeconds(10) });
        await AddVersionAsync("busy-bot", 3);
        await _releases.DeployAsync("busy-bot", new Deployment(3) { Strategy = DeployStrategy.Canary }, new CommandIssuer("op"), default);

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await _scheduler.TickAsync(default));

        await _releases.RollbackAsync("busy-bot", null, null, RollbackTrigger.Manual, new CommandIssuer("op"), default);
        Assert.Equal(1, await _scheduler.TickAsync(default));
    }

    [Fact]
    public async Task Agents_without_a_schedule_or_without_a_rollback_target_are_not_drilled()
    {
        await ReleaseTwoVersionsAsync("manual-bot", drill: null);
        await _releases.DefineAsync("lone-bot", new AgentDefinition { Drill = new DrillSettings { Every = TimeSpan.FromSeconds(1) } }, new CommandIssuer("op"), default);
        await AddVersionAsync("lone-bot", 1);
        await _releases.DeployAsync("lone-bot", new Deployment(1), new CommandIssuer("op"), default);

        _time.Advance(TimeSpan.FromDays(365));

        Assert.Equal(0, await _scheduler.TickAsync(default));
        Assert.Null(DrillScheduler.NextDueAt((await _store.GetAgentAsync("manual-bot", default))!));
    }

    [Fact]
    public async Task A_failed_drill_still_restores_counts_as_the_last_drill_and_leaves_the_last_pass_alone()
    {
        await ReleaseTwoVersionsAsync("flaky-bot", new DrillSettings { Every = TimeSpan.FromHours(1) });
        _time.Advance(TimeSpan.FromHours(1));
        await _scheduler.TickAsync(default);
        var passedAt = _time.GetUtcNow();
        _probe.Failure = "the backend said 503";

        _time.Advance(TimeSpan.FromHours(1));
        await _scheduler.TickAsync(default);

        var state = (await _store.GetAgentAsync("flaky-bot", default))!.State;
        Assert.Equal((2, ReleaseStatus.Stable), (state.Stable!.Value, state.Status));
        Assert.Empty(state.RolledBackFrom);
        Assert.Equal(("failed", passedAt), (state.Drill!.LastResult, state.Drill.LastPassedAt!.Value));
        var drill = (await _store.GetHistoryAsync("flaky-bot", 1, default))[0].Drill!;
        Assert.Equal("after the rollback, the backend said 503; after the restore, the backend said 503", drill.Failure);
    }

    [Fact]
    public async Task A_drill_left_running_by_a_stopped_replica_is_restored_by_the_controller_after_a_minute()
    {
        await ReleaseTwoVersionsAsync("orphan-bot", drill: null);
        // The rollback of a drill whose replica then stopped: nothing restores it but the controller.
        await _releases.DrillRollbackAsync("orphan-bot", new CommandIssuer("op"), default);

        _time.Advance(DrillRunner.AbandonedAfter - TimeSpan.FromSeconds(1));
        await _scheduler.TickAsync(default);
        Assert.Equal(1, (await _store.GetAgentAsync("orphan-bot", default))!.State.Stable);

        _time.Advance(TimeSpan.FromSeconds(1));
        await _scheduler.TickAsync(default);

        var state = (await _store.GetAgentAsync("orphan-bot", default))!.State;
        Assert.Equal((2, ReleaseStatus.Stable), (state.Stable!.Value, state.Status));
        Assert.Null(state.Drill!.Running);
        Assert.Equal("failed", state.Drill.LastResult);
        Assert.Contains("abandoned", (await _store.GetHistoryAsync("orphan-bot", 1, default))[0].Drill!.Failure);
    }

    private async Task ReleaseTwoVersionsAsync(string agent, DrillSettings? drill)
    {
        await _releases.DefineAsync(agent, new AgentDefinition { Drill = drill }, new CommandIssuer("op"), default);
        await AddVersionAsync(agent, 1);
        await AddVersionAsync(agent, 2);
        await _releases.DeployAsync(agent, new Deployment(1), new CommandIssuer("op"), default);
        await _releases.DeployAsync(agent, new Deployment(2) { Strategy = DeployStrategy.Immediate }, new CommandIssuer("op"), default);
    }

    private async Task AddVersionAsync(string agent, int i)
    {
        var draft = VersionComposer.Compose(new VersionManifest { Notes = $"v{i}" }, null, 0, _time.GetUtcNow(), "op");
        var content = draft with { Hash = draft.Hash + i };
        await _store.AddVersionAsync(agent, content.Hash, n => content with { Number = n }, default);
    }

    private sealed class FakeProbe : IDrillProbe
    {
        public string? Failure { get; set; }

        public Task<string?> ProbeAsync(AgentRecord record, int version, CancellationToken cancellationToken) => Task.FromResult(Failure);
    }
}
