using System.Globalization;
using Rollgate.Agents;

namespace Rollgate.Release;

/// <summary>
/// The release state machine as pure functions: current state in, new state and its history event out.
/// Nothing here does I/O, so every replica and every test computes exactly the same transitions.
/// </summary>
public static class ReleaseTransitions
{
    public static TransitionOutcome DeployImmediate(ReleaseState state, int version, TransitionContext ctx)
    {
        state = state.WithBakedStable(ctx.Now, ctx.Definition.BakeTime);
        if (state.Stable == version && state.Canary is null && state.Degradation is null)
        {
            return Conflict($"version {version} is already the stable version");
        }

        // A deploy during a degradation is the operator taking over: it serves at once, and the restore will not undo it.
        state = state.OperatorTakesOver(ctx.Now);

        var next = state with
        {
            Stable = version,
            Canary = null,
            CanaryPercent = 0,
            Rollout = null,
            Paused = false,
            RolledBack = false,
            Restored = false,
            StableSince = ctx.Now,
            Lineage = state.LineageWith(version),
        };
        return new TransitionOutcome.Changed(next, ctx.Event(HistoryEventTypes.Deploy, state.Stable, version, "immediate"));
    }

    public static TransitionOutcome DeployCanary(ReleaseState state, int version, RolloutPlan plan, TransitionContext ctx)
    {
        state = state.WithBakedStable(ctx.Now, ctx.Definition.BakeTime);
        if (state.Stable is null)
        {
            return Conflict("a canary needs a stable version to compare against: deploy one with strategy \"immediate\" first");
        }

        if (Degraded(state) is { } degraded)
        {
            return degraded;
        }

        if (state.Stable == version)
        {
            return Conflict($"version {version} is already the stable version");
        }

        if (state.Canary is not null)
        {
            return Conflict($"version {state.Canary} is already in canary: promote it or roll it back first");
        }

        var next = state with
        {
            Canary = version,
            CanaryPercent = plan.Steps[0],
            Rollout = new RolloutProgress(plan.Steps, 0, ctx.Now, plan.StepDuration) { StartedAt = ctx.Now },
            Paused = false,
            RolledBack = false,
        };
        return new TransitionOutcome.Changed(next, ctx.Event(HistoryEventTypes.Deploy, state.Stable, version,
            $"canary {Percent(plan.Steps[0])} (steps {string.Join(",", plan.Steps.Select(Percent))}, {Json.Duration.Format(plan.StepDuration)} each)"));
    }

    /// <summary>Moves the canary to the next step of its plan; past the last step the canary becomes stable.</summary>
    public static TransitionOutcome Promote(ReleaseState state, TransitionContext ctx)
    {
        state = state.WithBakedStable(ctx.Now, ctx.Definition.BakeTime);
        if (state.Canary is not { } canary)
        {
            return Conflict("there is no canary to promote");
        }

        if (Degraded(state) is { } degraded)
        {
            return degraded;
        }

        var rollout = state.Rollout ?? new RolloutProgress([100], 0, ctx.Now, ctx.Definition.Rollout.StepDuration);
        var nextIndex = rollout.StepIndex + 1;
        while (nextIndex < rollout.Steps.Count && rollout.Steps[nextIndex] <= state.CanaryPercent)
        {
            nextIndex++;
        }

        if (nextIndex >= rollout.Steps.Count || rollout.Steps[nextIndex] >= 100)
        {
            var completed = state with
            {
                Stable = canary,
                Canary = null,
                CanaryPercent = 0,
                Rollout = null,
                Paused = false,
                RolledBack = false,
                Restored = false,
                StableSince = ctx.Now,
                Lineage = state.LineageWith(canary),
            };
            return new TransitionOutcome.Changed(completed, ctx.Event(HistoryEventTypes.Promote, state.Stable, canary, "rollout complete: canary is now stable"));
        }

        var percent = rollout.Steps[nextIndex];
        var next = state with
        {
            CanaryPercent = percent,
            Rollout = rollout with { StepIndex = nextIndex, StepStartedAt = ctx.Now },
        };
        return new TransitionOutcome.Changed(next, ctx.Event(HistoryEventTypes.Promote, state.Stable, canary, $"canary {Percent(percent)}"));
    }

    /// <summary>Whether the scheduler should promote now: a running (not paused) canary whose step has lasted its duration.</summary>
    public static bool IsStepDue(ReleaseState state, DateTimeOffset now)
        => state is { Canary: not null, Paused: false, Rollout: { } rollout } && now >= rollout.StepEndsAt;

    public static TransitionOutcome Pause(ReleaseState state, TransitionContext ctx, string? reason = null)
    {
        if (state.Canary is null)
        {
            return Conflict("there is no rollout to pause");
        }

        if (state.Paused)
        {
            return Conflict("the rollout is already paused");
        }

        return new TransitionOutcome.Changed(state with { Paused = true }, ctx.Event(HistoryEventTypes.Pause, state.Stable, state.Canary, reason));
    }

    public static TransitionOutcome Resume(ReleaseState state, TransitionContext ctx)
    {
        if (state.Canary is null)
        {
            return Conflict("there is no rollout to resume");
        }

        if (!state.Paused)
        {
            return Conflict("the rollout is not paused");
        }

        if (Degraded(state) is { } degraded)
        {
            return degraded;
        }

        // The current step starts over: time spent paused does not count towards it.
        var next = state with { Paused = false, Rollout = state.Rollout is { } r ? r with { StepStartedAt = ctx.Now } : null };
        return new TransitionOutcome.Changed(next, ctx.Event(HistoryEventTypes.Resume, state.Stable, state.Canary));
    }

    public static TransitionOutcome Weight(ReleaseState state, double canaryPercent, TransitionContext ctx)
    {
        if (state.Canary is null)
        {
            return Conflict("there is no canary to weigh: deploy one first");
        }

        if (Degraded(state) is { } degraded)
        {
            return degraded;
        }

        var next = state with { CanaryPercent = canaryPercent };
        return new TransitionOutcome.Changed(next, ctx.Event(HistoryEventTypes.Weight, state.Stable, state.Canary,
            $"canary {Percent(state.CanaryPercent)} -> {Percent(canaryPercent)}"));
    }

    /// <summary>
    /// Rolls back in one step: a canary is removed (stable keeps, or with <paramref name="to"/> becomes, all traffic);
    /// without a canary the stable returns to <paramref name="to"/> or to <see cref="ReleaseState.DefaultRollbackTarget"/>.
    /// The version left is marked as rolled back from; the version restored is not put on probation against it.
    /// A rollback during a degradation ends it: whoever rolls back decides where traffic goes from then on.
    /// </summary>
    public static TransitionOutcome Rollback(ReleaseState state, int? to, string? reason, TransitionContext ctx, string type = HistoryEventTypes.Rollback)
    {
        state = state.WithBakedStable(ctx.Now, ctx.Definition.BakeTime).OperatorTakesOver(ctx.Now);
        if (state.Canary is { } canary)
        {
            var target = to ?? state.Stable!.Value;
            if (target == canary)
            {
                return Conflict($"version {canary} is the canary being rolled back");
            }

            var withoutCanary = state with
            {
                Canary = null,
                CanaryPercent = 0,
                Rollout = null,
                Paused = false,
                RolledBack = true,
                RolledBackFrom = state.RolledBackFromWith(canary),
            };
            var next = target == state.Stable ? withoutCanary : Restore(withoutCanary, target, ctx.Now);
            return new TransitionOutcome.Changed(next, ctx.Event(type, canary, target, reason));
        }

        if (state.Stable is not { } stable)
        {
            return Conflict("nothing is deployed, so there is nothing to roll back");
        }

        var destination = to ?? state.DefaultRollbackTarget(stable, ctx.Now, ctx.Definition.BakeTime);
        if (destination is null)
        {
            return new TransitionOutcome.Refused(RefusalReason.NoRollbackTarget, "No rollback target",
                $"version {stable} has no known-good or earlier stable version that was never rolled back from: name one with \"to\"");
        }

        if (destination == stable)
        {
            return Conflict($"version {stable} is already the stable version");
        }

        var rolledBack = Restore(state with { RolledBack = true, RolledBackFrom = state.RolledBackFromWith(stable) }, destination.Value, ctx.Now);
        return new TransitionOutcome.Changed(rolledBack, ctx.Event(type, stable, destination, reason));
    }

    private static ReleaseState Restore(ReleaseState state, int version, DateTimeOffset now) => state with
    {
        Stable = version,
        StableSince = now,
        Restored = true,
        Lineage = state.LineageWith(version),
    };

    /// <summary>
    /// Moves all of the agent's traffic to <paramref name="routeTo"/> while <paramref name="tool"/>'s circuit is open. The
    /// release stays underneath: the stable keeps its place and a canary is paused, not lost.
    /// </summary>
    public static TransitionOutcome Degrade(ReleaseState state, string tool, int routeTo, string detail, TransitionContext ctx)
    {
        if (state.Stable is not { } stable)
        {
            return Conflict("nothing is deployed, so there is nothing to degrade");
        }

        if (state.Degradation is { } current)
        {
            return new TransitionOutcome.Refused(RefusalReason.Superseded, "Already degraded",
                $"the agent is already degraded by tool '{current.Tool}' to version {current.RouteTo}");
        }

        if (stable == routeTo && state.Canary is null)
        {
            return new TransitionOutcome.Refused(RefusalReason.Superseded, "Already there", $"version {routeTo} already serves all traffic");
        }

        var next = state with { Degradation = new Degradation(tool, routeTo, ctx.Now), Paused = state.Canary is not null || state.Paused };
        return new TransitionOutcome.Changed(next, ctx.Event(HistoryEventTypes.Degrade, stable, routeTo, detail));
    }

    /// <summary>Ends the degradation <paramref name="tool"/> caused: the release underneath serves again (a canary stays paused).</summary>
    public static TransitionOutcome Restore(ReleaseState state, string tool, string detail, TransitionContext ctx)
    {
        if (state.Degradation is not { } degradation || degradation.Tool != tool)
        {
            return new TransitionOutcome.Refused(RefusalReason.Superseded, "Not degraded", $"the agent is not degraded by tool '{tool}'");
        }

        return new TransitionOutcome.Changed(state with { Degradation = null }, ctx.Event(HistoryEventTypes.Restore, degradation.RouteTo, state.Stable, detail));
    }

    /// <summary>While degraded, the rollout does not move: only a deploy or a rollback takes over from the degradation.</summary>
    private static TransitionOutcome.Refused? Degraded(ReleaseState state) => state.Degradation is { } degradation
        ? Conflict($"the agent is degraded while tool '{degradation.Tool}' is unavailable: deploy immediately or roll back to take over from the degradation")
        : null;

    /// <summary>Records an alert: no change to routing, but a generation and a history event like every firing.</summary>
    public static TransitionOutcome Alert(ReleaseState state, int? subject, string detail, TransitionContext ctx)
        => new TransitionOutcome.Changed(state, ctx.Event(HistoryEventTypes.Alert, state.Stable, subject, detail));

    private static TransitionOutcome.Refused Conflict(string detail) => new(RefusalReason.Conflict, "Conflict with the current release state", detail);

    private static string Percent(double value) => value.ToString("0.##", CultureInfo.InvariantCulture) + "%";
}
