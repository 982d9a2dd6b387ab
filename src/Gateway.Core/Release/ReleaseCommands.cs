using System.Text.Json;
using Microsoft.Extensions.Logging;
using Rollgate.Agents;
using Rollgate.Drills;
using Rollgate.Observability;

namespace Rollgate.Release;

/// <summary>
/// The release commands, one operation each: define, deploy, promote, pause, resume, weight, roll back, alert, and the
/// degrade and restore a tool's circuit causes, and the steps of a rollback drill. Each decides its transition on the agent
/// as it is when the command runs (deploy strategy and rollout plan, rollback
/// target), commits it with its history event through <see cref="ReleaseManager"/>, and writes its own log line and
/// metrics. The admin API, the rules, the rollout scheduler and the seed change releases only through here.
/// </summary>
/// <remarks>
/// A command is decided again if another writer commits first, unless its <see cref="CommandIssuer.IfMatch"/> pins the
/// generation. Refusals are <see cref="RefusalReason"/>s; what an HTTP caller gets for them is the admin API's business.
/// </remarks>
public sealed partial class ReleaseCommands(ReleaseManager releases, ILogger<ReleaseCommands> logger)
{
    /// <summary>Creates the agent or replaces its definition: one generation and one <c>define</c> event.</summary>
    public async Task<CommandResult> DefineAsync(string agent, AgentDefinition definition, CommandIssuer issuer, CancellationToken cancellationToken)
    {
        var result = await RunAsync(HistoryEventTypes.Define, agent, issuer, static (record, ctx) => new TransitionOutcome.Changed(record.State,
                ctx.Event(HistoryEventTypes.Define, record.State.Stable, record.State.Stable, record.Generation == 0 ? "agent created" : "definition updated")),
            cancellationToken, definition);
        if (result is CommandResult.Committed committed)
        {
            LogDefined(logger, agent, committed.Record.Generation, committed.Event.Detail, issuer.Actor);
        }

        return result;
    }

    /// <summary>
    /// Deploys a version immediately (it becomes stable) or as a canary beside the stable, by the deployment's strategy
    /// or, when it names none, as a canary if there is a stable to compare it with.
    /// </summary>
    public async Task<CommandResult> DeployAsync(string agent, Deployment deployment, CommandIssuer issuer, CancellationToken cancellationToken)
    {
        var result = await RunAsync(HistoryEventTypes.Deploy, agent, issuer, (record, ctx) => Deploy(record.State, deployment, ctx), cancellationToken);
        if (result is CommandResult.Committed committed)
        {
            LogDeployed(logger, agent, committed.Record.Generation, deployment.Version, committed.Event.Detail, issuer.Actor, committed.Timings.ApplyMs);
        }

        return result;
    }

    /// <summary>Moves the canary to the next step of its rollout; past the last step the canary becomes stable.</summary>
    public Task<CommandResult> PromoteAsync(string agent, CommandIssuer issuer, CancellationToken cancellationToken)
        => PromoteAsync(agent, issuer, static (record, ctx) => ReleaseTransitions.Promote(record.State, ctx), cancellationToken);

    /// <summary>
    /// Promotes the canary only if its current step has lasted its duration. The check is part of the transition, so
    /// a scheduler racing another writer (or another scheduler) never promotes a step twice.
    /// </summary>
    public Task<CommandResult> PromoteIfDueAsync(string agent, CommandIssuer issuer, CancellationToken cancellationToken)
        => PromoteAsync(agent, issuer, static (record, ctx) => ReleaseTransitions.IsStepDue(record.State, ctx.Now)
            ? ReleaseTransitions.Promote(record.State, ctx)
            : new TransitionOutcome.Refused(RefusalReason.Superseded, "Not due", "the step is no longer due"), cancellationToken);

    /// <summary>
    /// Stops the canary's rollout where it is. A rule's pause that finds no running rollout (a stable, or a rollout
    /// already paused) is recorded as an alert instead, so that the firing and its evidence still reach history.
    /// </summary>
    public async Task<CommandResult> PauseAsync(string agent, string? reason, CommandIssuer issuer, CancellationToken cancellationToken)
    {
        var result = await RunAsync(HistoryEventTypes.Pause, agent, issuer, (record, ctx) => issuer.Firing is { } firing && record.State is not { Canary: not null, Paused: false }
            ? ReleaseTransitions.Alert(record.State, firing.SubjectVersion, reason ?? firing.Rule, ctx)
            : ReleaseTransitions.Pause(record.State, ctx, reason), cancellationToken);
        if (result is CommandResult.Committed { Event.Type: HistoryEventTypes.Alert } alerted)
        {
            LogAlerted(logger, agent, alerted.Record.Generation, alerted.Event.To, alerted.Event.Detail, issuer.Actor);
        }
        else if (result is CommandResult.Committed committed)
        {
            LogPaused(logger, agent, committed.Record.Generation, committed.Event.To, issuer.Actor, committed.Timings.ApplyMs);
        }

        return result;
    }

    /// <summary>Lets a paused rollout go on; its current step starts over.</summary>
    public async Task<CommandResult> ResumeAsync(string agent, CommandIssuer issuer, CancellationToken cancellationToken)
    {
        var result = await RunAsync(HistoryEventTypes.Resume, agent, issuer, static (record, ctx) => ReleaseTransitions.Resume(record.State, ctx), cancellationToken);
        if (result is CommandResult.Committed committed)
        {
            LogResumed(logger, agent, committed.Record.Generation, committed.Event.To, issuer.Actor, committed.Timings.ApplyMs);
        }

        return result;
    }

    /// <summary>Sets the canary's share of traffic by hand; the rollout's steps go on from there.</summary>
    public async Task<CommandResult> WeightAsync(string agent, double canaryPercent, CommandIssuer issuer, CancellationToken cancellationToken)
    {
        var result = await RunAsync(HistoryEventTypes.Weight, agent, issuer, (record, ctx) => ReleaseTransitions.Weight(record.State, canaryPercent, ctx), cancellationToken);
        if (result is CommandResult.Committed committed)
        {
            LogWeighted(logger, agent, committed.Record.Generation, committed.Event.Detail, issuer.Actor, committed.Timings.ApplyMs);
        }

        return result;
    }

    /// <summary>
    /// Rolls back in one step: removes the canary, or returns the stable to <paramref name="to"/> or, when none is
    /// named, to the newest known-good (else earlier stable) version never rolled back from. Waits for the fleet to
    /// route by it (up to <see cref="ReleaseManager.FleetAckTimeout"/>) and counts it under its trigger.
    /// </summary>
    /// <param name="reason">The event's detail; unset, the trigger's name (<c>manual rollback</c>).</param>
    public Task<CommandResult> RollbackAsync(string agent, int? to, string? reason, RollbackTrigger trigger, CommandIssuer issuer,
        CancellationToken cancellationToken)
    {
        reason ??= trigger.ToLabel() + " rollback";
        return RollbackAsync(agent, trigger, issuer, (record, ctx) => ReleaseTransitions.Rollback(record.State, to, reason, ctx), cancellationToken);
    }

    /// <summary>
    /// A rollback drill's rollback: the rollback above to the default target, counted under <c>drill</c>, refused unless
    /// the release is settled (see <see cref="DrillTransitions.Refusal"/>); the state remembers what the restore puts back.
    /// </summary>
    public Task<CommandResult> DrillRollbackAsync(string agent, CommandIssuer issuer, CancellationToken cancellationToken)
        => RollbackAsync(agent, RollbackTrigger.Drill, issuer,
            static (record, ctx) => DrillTransitions.Rollback(record.State, RollbackTrigger.Drill.ToLabel() + " rollback", ctx), cancellationToken);

    /// <summary>Ends a drill: puts the release back as it was before the drill's rollback, and waits for the fleet like a rollback.</summary>
    /// <param name="runId">The drill's rollback event id: only that drill is restored.</param>
    public async Task<CommandResult> RestoreAfterDrillAsync(string agent, string runId, CommandIssuer issuer, CancellationToken cancellationToken)
    {
        var result = await RunAsync(HistoryEventTypes.Restore, agent, issuer, (record, ctx) => DrillTransitions.Restore(record.State, runId, ctx),
            cancellationToken, waitForFleet: true);
        if (result is CommandResult.Committed committed)
        {
            LogDrillRestored(logger, agent, committed.Record.Generation, committed.Event.To, issuer.Actor, committed.Timings.ApplyMs);
        }

        return result;
    }

    /// <summary>Records a drill's result as a <c>drill</c> event; routing does not change.</summary>
    public async Task<CommandResult> RecordDrillAsync(string agent, DrillReport report, string runId, CommandIssuer issuer, CancellationToken cancellationToken)
    {
        var result = await RunAsync(HistoryEventTypes.Drill, agent, issuer, (record, ctx) => DrillTransitions.Record(record.State, report, runId, ctx), cancellationToken);
        if (result is CommandResult.Committed committed)
        {
            if (report.HasPassed)
            {
                LogDrillPassed(logger, agent, committed.Record.Generation, report.From, report.To, report.TotalMs, issuer.Actor);
            }
            else
            {
                LogDrillFailed(logger, agent, committed.Record.Generation, report.From, report.To, report.Failure, issuer.Actor);
            }
        }

        return result;
    }

    private async Task<CommandResult> RollbackAsync(string agent, RollbackTrigger trigger, CommandIssuer issuer,
        Func<AgentRecord, TransitionContext, TransitionOutcome> rollback, CancellationToken cancellationToken)
    {
        var result = await RunAsync(HistoryEventTypes.Rollback, agent, issuer, rollback, cancellationToken, waitForFleet: true);
        if (result is CommandResult.Committed committed)
        {
            RollgateMetrics.Rollbacks.WithLabels(agent, trigger.ToLabel()).Inc();
            RollgateMetrics.RollbackApply.WithLabels(agent).Observe(committed.Timings.ApplyMs / 1000);
            if (committed.Event.DetectMs is { } detectMs)
            {
                RollgateMetrics.RollbackDetect.WithLabels(agent, trigger.ToLabel()).Observe(detectMs / 1000);
            }
            LogRolledBack(logger, agent, committed.Record.Generation, committed.Event.From, committed.Event.To, trigger.ToLabel(), issuer.Actor, committed.Timings.ApplyMs);
        }

        return result;
    }

    /// <summary>
    /// Moves the agent's traffic to <paramref name="routeTo"/> because <paramref name="tool"/>'s circuit opened; the release
    /// waits underneath. Waits for the fleet like a rollback, and counts as one (trigger <c>circuit</c>).
    /// </summary>
    /// <param name="evidence">The breakers' evidence, kept on the history event.</param>
    /// <param name="detectMs">Time from the circuit opening to this decision.</param>
    public Task<CommandResult> DegradeAsync(string agent, string tool, int routeTo, JsonElement evidence, double? detectMs, CommandIssuer issuer,
        CancellationToken cancellationToken)
        => SwitchForCircuitAsync(agent, issuer, (record, ctx) => ReleaseTransitions.Degrade(record.State, tool, routeTo,
                $"tool '{tool}' is unavailable: its circuit is open", ctx), evidence, detectMs, cancellationToken);

    /// <summary>Ends the degradation <paramref name="tool"/> caused; counted like <see cref="DegradeAsync"/>.</summary>
    public Task<CommandResult> RestoreAsync(string agent, string tool, string detail, JsonElement evidence, CommandIssuer issuer, CancellationToken cancellationToken)
        => SwitchForCircuitAsync(agent, issuer, (record, ctx) => ReleaseTransitions.Restore(record.State, tool, detail, ctx), evidence, null, cancellationToken);

    /// <summary>Records an alert on <paramref name="version"/>: routing does not change, but it takes a generation and a history event.</summary>
    public async Task<CommandResult> AlertAsync(string agent, int? version, string detail, CommandIssuer issuer, CancellationToken cancellationToken)
    {
        var result = await RunAsync(HistoryEventTypes.Alert, agent, issuer, (record, ctx) => ReleaseTransitions.Alert(record.State, version, detail, ctx), cancellationToken);
        if (result is CommandResult.Committed committed)
        {
            LogAlerted(logger, agent, committed.Record.Generation, version, detail, issuer.Actor);
        }

        return result;
    }

    private async Task<CommandResult> SwitchForCircuitAsync(string agent, CommandIssuer issuer, Func<AgentRecord, TransitionContext, TransitionOutcome> transition,
        JsonElement evidence, double? detectMs, CancellationToken cancellationToken)
    {
        var result = await RunAsync(HistoryEventTypes.Degrade, agent, issuer, (record, ctx) => transition(record, ctx) switch
        {
            TransitionOutcome.Changed changed => changed with { Event = changed.Event with { Evidence = evidence, DetectMs = detectMs is { } ms ? Math.Round(ms, 3) : null } },
            var refused => refused,
        }, cancellationToken, waitForFleet: true);
        if (result is CommandResult.Committed committed)
        {
            var trigger = RollbackTrigger.Circuit.ToLabel();
            RollgateMetrics.Rollbacks.WithLabels(agent, trigger).Inc();
            RollgateMetrics.RollbackApply.WithLabels(agent).Observe(committed.Timings.ApplyMs / 1000);
            if (detectMs is { } detect)
            {
                RollgateMetrics.RollbackDetect.WithLabels(agent, trigger).Observe(detect / 1000);
            }

            LogSwitchedForCircuit(logger, agent, committed.Record.Generation, committed.Event.Type, committed.Event.From, committed.Event.To,
                committed.Event.Detail, committed.Timings.ApplyMs);
        }

        return result;
    }

    private async Task<CommandResult> PromoteAsync(string agent, CommandIssuer issuer, Func<AgentRecord, TransitionContext, TransitionOutcome> promote,
        CancellationToken cancellationToken)
    {
        var result = await RunAsync(HistoryEventTypes.Promote, agent, issuer, promote, cancellationToken);
        if (result is CommandResult.Committed committed)
        {
            LogPromoted(logger, agent, committed.Record.Generation, committed.Event.To, committed.Event.Detail, issuer.Actor, committed.Timings.ApplyMs);
        }

        return result;
    }

    private static TransitionOutcome Deploy(ReleaseState state, Deployment deployment, TransitionContext ctx)
    {
        var strategy = deployment.Strategy ?? (state.Stable is null ? DeployStrategy.Immediate : DeployStrategy.Canary);
        if (strategy == DeployStrategy.Immediate)
        {
            return ReleaseTransitions.DeployImmediate(state, deployment.Version, ctx);
        }

        var plan = new RolloutPlan
        {
            Steps = deployment.Steps ?? ctx.Definition.Rollout.Steps,
            StepDuration = deployment.StepDuration ?? ctx.Definition.Rollout.StepDuration,
        };
        return ReleaseTransitions.DeployCanary(state, deployment.Version, plan, ctx);
    }

    /// <summary>Runs one command; a rule's command goes through its firing's condition and carries its mark.</summary>
    private async Task<CommandResult> RunAsync(string command, string agent, CommandIssuer issuer, Func<AgentRecord, TransitionContext, TransitionOutcome> transition,
        CancellationToken cancellationToken, AgentDefinition? definition = null, bool waitForFleet = false)
    {
        if (issuer.Firing is { } firing)
        {
            var decide = transition;
            transition = (record, ctx) => Fire(firing, record, ctx, decide);
        }

        var result = await releases.ExecuteAsync(agent, issuer, definition, transition, waitForFleet, cancellationToken);
        if (result is not CommandResult.Committed)
        {
            LogNotCommitted(logger, command, agent, issuer.Actor, result);
        }

        return result;
    }

    private static TransitionOutcome Fire(RuleFiring firing, AgentRecord current, TransitionContext ctx, Func<AgentRecord, TransitionContext, TransitionOutcome> decide)
    {
        if (!firing.IsSubjectCurrent(current.State))
        {
            return new TransitionOutcome.Refused(RefusalReason.Superseded, "Subject changed", "the version this rule watched is no longer the subject");
        }

        if (current.State.FiredRules?.Contains(firing.SubjectKey, firing.Rule) == true)
        {
            // Another controller (one that lost the lease, or died before it could remember) acted already.
            return new TransitionOutcome.Refused(RefusalReason.Superseded, "Already fired", "this rule already acted on this subject");
        }

        // The mark is part of the same commit as the action: there is no moment at which one exists without the other.
        var outcome = decide(current, ctx);
        return outcome is TransitionOutcome.Changed changed
            ? changed with
            {
                State = changed.State with { FiredRules = FiredRules.Add(changed.State.FiredRules, firing.SubjectKey, firing.Rule) },
                Event = changed.Event with { DetectMs = Math.Round(firing.DetectMs, 3), Evidence = firing.Evidence },
            }
            : outcome;
    }

    [LoggerMessage(1, LogLevel.Information, "{Agent} generation {Generation}: {Detail} by {Actor}")]
    private static partial void LogDefined(ILogger logger, string agent, long generation, string? detail, string actor);

    [LoggerMessage(2, LogLevel.Information, "{Agent} generation {Generation}: version {Version} deployed by {Actor} ({Detail}), applied in {ApplyMs:F2} ms")]
    private static partial void LogDeployed(ILogger logger, string agent, long generation, int version, string? detail, string actor, double applyMs);

    [LoggerMessage(3, LogLevel.Information, "{Agent} generation {Generation}: version {Version} promoted by {Actor} ({Detail}), applied in {ApplyMs:F2} ms")]
    private static partial void LogPromoted(ILogger logger, string agent, long generation, int? version, string? detail, string actor, double applyMs);

    [LoggerMessage(4, LogLevel.Information, "{Agent} generation {Generation}: rollout of version {Version} paused by {Actor}, applied in {ApplyMs:F2} ms")]
    private static partial void LogPaused(ILogger logger, string agent, long generation, int? version, string actor, double applyMs);

    [LoggerMessage(5, LogLevel.Information, "{Agent} generation {Generation}: rollout of version {Version} resumed by {Actor}, applied in {ApplyMs:F2} ms")]
    private static partial void LogResumed(ILogger logger, string agent, long generation, int? version, string actor, double applyMs);

    [LoggerMessage(6, LogLevel.Information, "{Agent} generation {Generation}: {Detail} by {Actor}, applied in {ApplyMs:F2} ms")]
    private static partial void LogWeighted(ILogger logger, string agent, long generation, string? detail, string actor, double applyMs);

    [LoggerMessage(7, LogLevel.Information, "{Agent} generation {Generation}: rolled back from version {From} to {To} ({Trigger}) by {Actor}, applied in {ApplyMs:F2} ms")]
    private static partial void LogRolledBack(ILogger logger, string agent, long generation, int? from, int? to, string trigger, string actor, double applyMs);

    [LoggerMessage(8, LogLevel.Information, "{Agent} generation {Generation}: alert on version {Version} by {Actor}: {Detail}")]
    private static partial void LogAlerted(ILogger logger, string agent, long generation, int? version, string? detail, string actor);

    [LoggerMessage(16, LogLevel.Warning, "{Agent} generation {Generation}: {Type} from version {From} to {To} ({Detail}), applied in {ApplyMs:F2} ms")]
    private static partial void LogSwitchedForCircuit(ILogger logger, string agent, long generation, string type, int? from, int? to, string? detail, double applyMs);

    [LoggerMessage(12, LogLevel.Information, "{Agent} generation {Generation}: drill over, version {Version} restored by {Actor}, applied in {ApplyMs:F2} ms")]
    private static partial void LogDrillRestored(ILogger logger, string agent, long generation, int? version, string actor, double applyMs);

    [LoggerMessage(13, LogLevel.Information, "{Agent} generation {Generation}: rollback drill by {Actor} passed: version {From} to {To} and back in {TotalMs:F1} ms")]
    private static partial void LogDrillPassed(ILogger logger, string agent, long generation, int from, int to, double totalMs, string actor);

    [LoggerMessage(14, LogLevel.Warning, "{Agent} generation {Generation}: rollback drill by {Actor} from version {From} to {To} failed: {Failure}")]
    private static partial void LogDrillFailed(ILogger logger, string agent, long generation, int from, int to, string? failure, string actor);

    [LoggerMessage(9, LogLevel.Debug, "{Command} of {Agent} by {Actor} changed nothing: {Result}")]
    private static partial void LogNotCommitted(ILogger logger, string command, string agent, string actor, CommandResult result);
}
