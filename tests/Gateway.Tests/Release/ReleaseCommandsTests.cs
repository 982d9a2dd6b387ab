using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Rollgate.Agents;
using Rollgate.Observability;
using Rollgate.Release;
using Rollgate.Stores.File;
using Rollgate.Tests.Infrastructure;
using Rollgate.Tests.Notifications;
using Rollgate.Versions;

namespace Rollgate.Tests.Release;

/// <summary>
/// Each release command as one operation, on the real file store: its defaults, its log line, its rollback metrics,
/// and a rule's condition and mark committed with it.
/// </summary>
public sealed class ReleaseCommandsTests : IAsyncLifetime
{
    private static readonly CommandIssuer Operator = new("op");

    private readonly string _dataDir = GatewayInstance.NewDataDir();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 4, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly ListLogger<ReleaseCommands> _log = new();
    private FileStore _store = null!;
    private ReleaseCommands _commands = null!;

    public Task InitializeAsync()
    {
        _store = FileStore.Open(_dataDir);
        _commands = TestReleases.Commands(_store, _time, _log);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Theory]
    [InlineData(RollbackTrigger.Manual, "manual")]
    [InlineData(RollbackTrigger.Rule, "rule")]
    [InlineData(RollbackTrigger.Drill, "drill")]
    [InlineData(RollbackTrigger.Circuit, "circuit")]
    public async Task A_rollback_counts_itself_under_its_trigger(RollbackTrigger trigger, string label)
    {
        var agent = $"counted-{label}-bot";
        await AgentWithStablesAsync(agent, 1, 2);

        var committed = Assert.IsType<CommandResult.Committed>(await _commands.RollbackAsync(agent, null, null, trigger, Operator, default));

        Assert.Equal(1, committed.Record.State.Stable);
        Assert.Equal($"{label} rollback", committed.Event.Detail);
        foreach (var other in Enum.GetValues<RollbackTrigger>())
        {
            Assert.Equal(other == trigger ? 1 : 0, RollgateMetrics.Rollbacks.WithLabels(agent, other.ToLabel()).Value);
        }

        Assert.Equal(1, RollgateMetrics.RollbackApply.WithLabels(agent).Count);
        Assert.Equal(0, RollgateMetrics.RollbackDetect.WithLabels(agent, label).Count); // no rule detected anything
    }

    [Fact]
    public async Task A_refused_rollback_counts_nothing()
    {
        await AgentWithStablesAsync("first-only-bot", 1);

        var refused = Assert.IsType<CommandResult.Refused>(await _commands.RollbackAsync("first-only-bot", null, null, RollbackTrigger.Manual, Operator, default));

        Assert.Equal(RefusalReason.NoRollbackTarget, refused.Reason);
        Assert.Equal(0, RollgateMetrics.Rollbacks.WithLabels("first-only-bot", "manual").Value);
        Assert.Equal(0, RollgateMetrics.RollbackApply.WithLabels("first-only-bot").Count);
    }

    [Fact]
    public async Task Each_command_writes_one_log_line_with_its_own_event_id()
    {
        await AgentAsync("logged-bot", versions: 3);
        await _commands.DeployAsync("logged-bot", new Deployment(1), Operator, default);
        await _commands.DeployAsync("logged-bot", new Deployment(2), Operator, default);
        await _commands.WeightAsync("logged-bot", 20, Operator, default);
        await _commands.PauseAsync("logged-bot", "looking", Operator, default);
        await _commands.ResumeAsync("logged-bot", Operator, default);
        await _commands.PromoteAsync("logged-bot", Operator, default);
        await _commands.RollbackAsync("logged-bot", null, null, RollbackTrigger.Manual, Operator, default);
        await _commands.AlertAsync("logged-bot", 1, "error_rate = 0.2", Operator, default);
        await _commands.ResumeAsync("logged-bot", Operator, default); // refused: nothing to resume

        Assert.Equal([1, 2, 2, 6, 4, 5, 3, 7, 8, 9], _log.EventIds);
        Assert.Equal(
        [
            "Information: logged-bot generation 1: agent created by op",
            "Information: logged-bot generation 2: version 1 deployed by op (immediate), applied in 0.00 ms",
        ], _log.Lines.Take(2));
        Assert.Equal("Information: logged-bot generation 8: rolled back from version 2 to 1 (manual) by op, applied in 0.00 ms", _log.Lines[7]);
        Assert.StartsWith("Debug: resume of logged-bot by op changed nothing: Refused", _log.Lines[^1]);
    }

    [Fact]
    public async Task A_deployment_without_a_strategy_is_immediate_first_then_a_canary_on_the_definitions_plan()
    {
        var plan = new RolloutPlan { Steps = [10, 40, 100], StepDuration = TimeSpan.FromMinutes(3) };
        await AgentAsync("default-bot", versions: 3, new AgentDefinition { Rollout = plan });

        var first = Assert.IsType<CommandResult.Committed>(await _commands.DeployAsync("default-bot", new Deployment(1), Operator, default));
        var second = Assert.IsType<CommandResult.Committed>(await _commands.DeployAsync("default-bot", new Deployment(2), Operator, default));

        Assert.Equal(ReleaseStatus.Stable, first.Record.State.Status);
        Assert.Equal(2, second.Record.State.Canary);
        Assert.Equal(10, second.Record.State.CanaryPercent);
        Assert.Equal([10, 40, 100], second.Record.State.Rollout!.Steps);
        Assert.Equal(TimeSpan.FromMinutes(3), second.Record.State.Rollout.StepDuration);

        await _commands.RollbackAsync("default-bot", null, null, RollbackTrigger.Manual, Operator, default);
        var own = Assert.IsType<CommandResult.Committed>(
            await _commands.DeployAsync("default-bot", new Deployment(3) { Steps = [50, 100] }, Operator, default));
        Assert.Equal([50, 100], own.Record.State.Rollout!.Steps);
        Assert.Equal(TimeSpan.FromMinutes(3), own.Record.State.Rollout.StepDuration);
    }

    [Fact]
    public async Task A_step_not_yet_due_is_not_promoted()
    {
        await AgentAsync("due-bot", versions: 2);
        await _commands.DeployAsync("due-bot", new Deployment(1), Operator, default);
        await _commands.DeployAsync("due-bot", new Deployment(2) { Steps = [5, 100], StepDuration = TimeSpan.FromMinutes(10) }, Operator, default);

        var early = Assert.IsType<CommandResult.Refused>(await _commands.PromoteIfDueAsync("due-bot", Operator, default));
        _time.Advance(TimeSpan.FromMinutes(10));
        var due = Assert.IsType<CommandResult.Committed>(await _commands.PromoteIfDueAsync("due-bot", Operator, default));

        Assert.Equal(RefusalReason.Superseded, early.Reason);
        Assert.Equal(2, due.Record.State.Stable);
    }

    [Fact]
    public async Task A_rules_rollback_commits_the_rules_mark_evidence_and_detection_time_in_the_same_change()
    {
        await AgentWithStablesAsync("marked-bot", 1, 2);
        var issuer = RuleIssuer("marked-bot", subjectVersion: 2, detectMs: 1234.56789);

        var committed = Assert.IsType<CommandResult.Committed>(await _commands.RollbackAsync("marked-bot", null, "error_rate = 0.4", RollbackTrigger.Rule, issuer, default));
        var again = Assert.IsType<CommandResult.Refused>(await _commands.RollbackAsync("marked-bot", null, "error_rate = 0.4", RollbackTrigger.Rule, issuer, default));

        var stored = (await _store.GetAgentAsync("marked-bot", default))!;
        Assert.Equal(committed.Record.Generation, stored.Generation);
        Assert.True(stored.State.FiredRules!.Contains("Baking:2", issuer.Firing!.Rule));
        var historyEvent = (await _store.GetHistoryAsync("marked-bot", 1, default)).Single();
        Assert.Equal(stored.Generation, historyEvent.Generation);
        Assert.Equal(1234.568, historyEvent.DetectMs);
        Assert.Equal("held", historyEvent.Evidence!.Value.GetProperty("why").GetString());
        Assert.Equal(RefusalReason.Superseded, again.Reason);
        Assert.Equal(1, RollgateMetrics.Rollbacks.WithLabels("marked-bot", "rule").Value);
        Assert.Equal(1, RollgateMetrics.RollbackDetect.WithLabels("marked-bot", "rule").Count);
        Assert.Equal(1.234568, RollgateMetrics.RollbackDetect.WithLabels("marked-bot", "rule").Sum, 6);
    }

    [Fact]
    public async Task A_rules_command_whose_subject_has_moved_on_changes_nothing()
    {
        await AgentWithStablesAsync("moved-bot", 1, 2);
        var before = (await _store.GetAgentAsync("moved-bot", default))!.Generation;

        var refused = Assert.IsType<CommandResult.Refused>(
            await _commands.RollbackAsync("moved-bot", null, "error_rate = 0.4", RollbackTrigger.Rule, RuleIssuer("moved-bot", subjectVersion: 1), default));

        Assert.Equal(RefusalReason.Superseded, refused.Reason);
        Assert.Equal(before, (await _store.GetAgentAsync("moved-bot", default))!.Generation);
        Assert.Equal(0, RollgateMetrics.Rollbacks.WithLabels("moved-bot", "rule").Value);
    }

    [Fact]
    public async Task A_rules_pause_with_no_rollout_running_is_recorded_as_an_alert_an_operators_is_refused()
    {
        await AgentWithStablesAsync("steady-bot", 1);

        var byOperator = Assert.IsType<CommandResult.Refused>(await _commands.PauseAsync("steady-bot", null, Operator, default));
        var byRule = Assert.IsType<CommandResult.Committed>(await _commands.PauseAsync("steady-bot", "latency_p95 = 2", RuleIssuer("steady-bot", subjectVersion: 1), default));

        Assert.Equal(RefusalReason.Conflict, byOperator.Reason);
        Assert.Equal(HistoryEventTypes.Alert, byRule.Event.Type);
        Assert.Equal(1, byRule.Event.To);
        Assert.Equal("latency_p95 = 2", byRule.Event.Detail);
        Assert.Equal(ReleaseStatus.Stable, byRule.Record.State.Status);
    }

    /// <summary>A rule watching the stable <paramref name="subjectVersion"/> during its bake, as the rule evaluator issues it.</summary>
    private static CommandIssuer RuleIssuer(string agent, int subjectVersion, double detectMs = 0)
    {
        const string rule = "rollback when error_rate > 10%";
        return new CommandIssuer("rule: " + rule)
        {
            Firing = new RuleFiring(rule, $"Baking:{subjectVersion}", subjectVersion, state => state.Stable == subjectVersion, detectMs,
                JsonSerializer.SerializeToElement(new { why = "held", agent })),
        };
    }

    private async Task AgentAsync(string agent, int versions, AgentDefinition? definition = null)
    {
        await _commands.DefineAsync(agent, definition ?? new AgentDefinition(), Operator, default);
        for (var number = 1; number <= versions; number++)
        {
            var draft = VersionComposer.Compose(new VersionManifest { Notes = $"v{number}" }, null, 0, _time.GetUtcNow(), "op");
            var content = draft with { Hash = draft.Hash + number };
            await _store.AddVersionAsync(agent, content.Hash, n => content with { Number = n }, default);
        }
    }

    /// <summary>Deploys <paramref name="stables"/> one after the other, each immediately.</summary>
    private async Task AgentWithStablesAsync(string agent, params int[] stables)
    {
        await AgentAsync(agent, stables.Max());
        foreach (var version in stables)
        {
            await _commands.DeployAsync(agent, new Deployment(version) { Strategy = DeployStrategy.Immediate }, Operator, default);
        }
    }
}
