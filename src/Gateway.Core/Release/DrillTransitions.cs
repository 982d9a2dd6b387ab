using Rollgate.Drills;

namespace Rollgate.Release;

/// <summary>
/// The release transitions of a rollback drill: the rollback (a rollback like any other, which also remembers what it
/// undoes), the restore that puts the release back as it was, and the record of the drill's result.
/// </summary>
public static class DrillTransitions
{
    /// <summary>
    /// Why a drill cannot start now, or null when it can. The one place that decides which release states a drill runs
    /// from: a settled release (<c>stable</c>, or <c>rolled_back</c>) with a rollback target. Every other status is
    /// refused, a canary rollout and any status added later (such as a degraded agent) included.
    /// </summary>
    public static TransitionOutcome.Refused? Refusal(ReleaseState state, DateTimeOffset now, TimeSpan bakeTime)
    {
        if (state.Drill?.Running is { } running)
        {
            return Conflict($"a drill is already running (since {running.StartedAt:O}, from version {running.From} to {running.To})");
        }

        switch (state.Status)
        {
            case ReleaseStatus.Stable or ReleaseStatus.RolledBack:
                break;
            case ReleaseStatus.Empty:
                return Conflict("nothing is deployed, so there is nothing to drill");
            case ReleaseStatus.Canary or ReleaseStatus.Paused:
                return Conflict($"a canary rollout of version {state.Canary} is in progress: a drill runs once it is promoted or rolled back");
            case ReleaseStatus.Degraded:
                return Conflict($"the agent is degraded (tool '{state.Degradation!.Tool}' is unavailable, version {state.Degradation.RouteTo} serves): a drill runs once it is restored");
            default:
                return Conflict($"the agent is {state.Status.ToString().ToLowerInvariant()}: a drill runs only from a stable release");
        }

        var stable = state.Stable!.Value;
        return state.DefaultRollbackTarget(stable, now, bakeTime) is null
            ? new TransitionOutcome.Refused(RefusalReason.NoRollbackTarget, "No rollback target",
                $"version {stable} has no known-good or earlier stable version that was never rolled back from, so a drill has nowhere to roll back to")
            : null;
    }

    /// <summary>
    /// A drill's rollback: the stable returns to its default rollback target exactly as an operator's rollback would
    /// do it, marks included, and the state remembers what it was before so that the restore can undo it.
    /// </summary>
    public static TransitionOutcome Rollback(ReleaseState state, string reason, TransitionContext ctx)
    {
        if (Refusal(state, ctx.Now, ctx.Definition.BakeTime) is { } refused)
        {
            return refused;
        }

        var outcome = ReleaseTransitions.Rollback(state, to: null, reason, ctx);
        if (outcome is not TransitionOutcome.Changed changed)
        {
            return outcome;
        }

        var run = new DrillRun(changed.Event.Id, state.Stable!.Value, changed.Event.To!.Value, ctx.Now, state with { Drill = null });
        return changed with { State = changed.State with { Drill = (state.Drill ?? new DrillState()) with { Running = run } } };
    }

    /// <summary>
    /// Puts the release back as it was before the drill's rollback <paramref name="runId"/>: the same stable, with its
    /// bake clock, its probation and its rolled-back marks as they were, so a drill leaves no trace on how the rules
    /// judge the stable or which version a rollback would go to. What was learnt meanwhile stays: versions that baked,
    /// rules that fired, and a tool's degradation. Refused when the release moved on during the drill (another writer deployed or rolled
    /// back): that change stands.
    /// </summary>
    public static TransitionOutcome Restore(ReleaseState state, string runId, TransitionContext ctx)
    {
        if (state.Drill?.Running is not { } run || run.Id != runId)
        {
            return new TransitionOutcome.Refused(RefusalReason.Superseded, "Drill not running", "the drill is no longer running, so there is nothing to restore");
        }

        if (state.Canary is not null || state.Stable != run.To)
        {
            return new TransitionOutcome.Refused(RefusalReason.Superseded, "Release changed during the drill",
                $"the release changed during the drill (stable {Describe(state.Stable)}{(state.Canary is { } c ? $", canary {c}" : "")}), so version {run.From} was not put back");
        }

        // A degradation that began during the drill stays: the tool is still down, and its own restore ends it.
        var restored = run.Before with
        {
            KnownGood = state.KnownGood,
            FiredRules = state.FiredRules,
            Degradation = state.Degradation,
            DegradationWaived = state.DegradationWaived,
            Drill = state.Drill with { Running = null },
        };
        return new TransitionOutcome.Changed(restored, ctx.Event(HistoryEventTypes.Restore, run.To, run.From, $"drill over: version {run.From} restored"));
    }

    /// <summary>
    /// Records a drill's result: a <c>drill</c> event carrying the report, and the time scheduled drills count from.
    /// Routing does not change. Ends the drill <paramref name="runId"/> if it is still marked as running (its restore
    /// was refused), and only that one.
    /// </summary>
    public static TransitionOutcome Record(ReleaseState state, DrillReport report, string runId, TransitionContext ctx)
    {
        var drill = state.Drill ?? new DrillState();
        drill = drill with
        {
            LastAt = ctx.Now,
            LastResult = report.Result,
            LastPassedAt = report.HasPassed ? ctx.Now : drill.LastPassedAt,
            Running = drill.Running?.Id == runId ? null : drill.Running,
        };
        var detail = report.HasPassed
            ? $"drill passed: version {report.To} served, version {report.From} restored"
            : $"drill failed: {report.Failure}";
        return new TransitionOutcome.Changed(state with { Drill = drill }, ctx.Event(HistoryEventTypes.Drill, report.From, report.To, detail) with { Drill = report });
    }

    private static string Describe(int? version) => version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none";

    private static TransitionOutcome.Refused Conflict(string detail) => new(RefusalReason.Conflict, "Conflict with the current release state", detail);
}
