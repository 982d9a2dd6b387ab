using Microsoft.Extensions.Time.Testing;
using Rollgate.Agents;
using Rollgate.Release;
using Rollgate.Stores.File;
using Rollgate.Tests.Infrastructure;
using Rollgate.Versions;

namespace Rollgate.Tests.Release;

/// <summary>Automatic step progression driven by a fake clock, through the real release commands and file store.</summary>
public sealed class RolloutSchedulerTests : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "rollgate-sched-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private FileStore _store = null!;
    private ReleaseCommands _releases = null!;
    private RolloutScheduler _scheduler = null!;

    public Task InitializeAsync()
    {
        _store = FileStore.Open(_dataDir);
        _releases = TestReleases.Commands(_store, _time);
        _scheduler = new RolloutScheduler(_store, _releases, _time);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Steps_advance_when_their_duration_has_passed_and_the_last_makes_the_canary_stable()
    {
        await StartCanaryAsync("sched-bot", new RolloutPlan { Steps = [5, 25, 100], StepDuration = TimeSpan.FromMinutes(10) });

        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(0, await _scheduler.TickAsync(default));
        Assert.Equal(5, (await State("sched-bot")).CanaryPercent);

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await _scheduler.TickAsync(default));
        Assert.Equal(25, (await State("sched-bot")).CanaryPercent);
        Assert.Equal(0, await _scheduler.TickAsync(default)); // the new step starts now

        _time.Advance(TimeSpan.FromMinutes(10));
        await _scheduler.TickAsync(default);
        var state = await State("sched-bot");
        Assert.Equal(ReleaseStatus.Stable, state.Status);
        Assert.Equal(2, state.Stable);
        var history = await _store.GetHistoryAsync("sched-bot", 2, default);
        Assert.All(history, e => Assert.Equal(RolloutScheduler.Actor, e.Actor));
    }

    [Fact]
    public async Task A_paused_rollout_stays_where_it_is()
    {
        await StartCanaryAsync("paused-bot", new RolloutPlan { Steps = [5, 100], StepDuration = TimeSpan.FromMinutes(1) });
        await _releases.PauseAsync("paused-bot", null, new CommandIssuer("op"), default);

        _time.Advance(TimeSpan.FromHours(3));

        Assert.Equal(0, await _scheduler.TickAsync(default));
        Assert.Equal(ReleaseStatus.Paused, (await State("paused-bot")).Status);
    }

    private async Task StartCanaryAsync(string agent, RolloutPlan plan)
    {
        await _releases.DefineAsync(agent, AgentDefinition.Default, new CommandIssuer("op"), default);
        for (var i = 1; i <= 2; i++)
        {
            var draft = VersionComposer.Compose(new VersionManifest { Notes = $"v{i}" }, null, 0, _time.GetUtcNow(), "op");
            var content = draft with { Hash = draft.Hash + i };
            await _store.AddVersionAsync(agent, content.Hash, n => content with { Number = n }, default);
        }

        await _releases.DeployAsync(agent, new Deployment(1), new CommandIssuer("op"), default);
        await _releases.DeployAsync(agent, new Deployment(2) { Steps = plan.Steps, StepDuration = plan.StepDuration }, new CommandIssuer("op"), default);
    }

    private async Task<ReleaseState> State(string agent) => (await _store.GetAgentAsync(agent, default))!.State;
}
