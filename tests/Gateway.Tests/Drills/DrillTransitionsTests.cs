using Rollgate.Agents;
using Rollgate.Drills;
using Rollgate.Release;

namespace Rollgate.Tests.Drills;

/// <summary>A drill's rollback, restore and record as pure transitions: what the drill leaves behind, and when it may run.</summary>
public sealed class DrillTransitionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly AgentDefinition Definition = new() { BakeTime = TimeSpan.FromHours(1) };

    private static TransitionContext At(DateTimeOffset now) => new(now, "tester", 5, Definition);

    private static TransitionOutcome.Changed Changed(TransitionOutcome outcome) => Assert.IsType<TransitionOutcome.Changed>(outcome);

    /// <summary>Version 1 baked (known good), then version 2 deployed 10 minutes ago: 2 is baking, on probation against 1.</summary>
    private static ReleaseState TwoStables()
    {
        var state = Changed(ReleaseTransitions.DeployImmediate(ReleaseState.Empty, 1, At(T0))).State;
        return Changed(ReleaseTransitions.DeployImmediate(state, 2, At(T0.AddHours(2)))).State;
    }

    [Fact]
    public void The_restore_puts_the_stable_back_with_its_bake_clock_probation_and_marks_as_they_were()
    {
        var before = TwoStables();
        var now = T0.AddHours(2).AddMinutes(10);

        var rollback = Changed(DrillTransitions.Rollback(before, "drill rollback", At(now)));
        var run = rollback.State.Drill!.Running!;
        var restore = Changed(DrillTransitions.Restore(rollback.State, run.Id, At(now.AddMilliseconds(20))));

        Assert.Equal((2, 1), (rollback.Event.From!.Value, rollback.Event.To!.Value));
        Assert.Equal((1, true, true), (rollback.State.Stable!.Value, rollback.State.IsRolledBackFrom(2), rollback.State.Restored));
        var after = restore.State;
        Assert.Equal("restore", restore.Event.Type);
        Assert.Equal((1, 2), (restore.Event.From!.Value, restore.Event.To!.Value));
        Assert.Equal(ReleaseStatus.Stable, after.Status);
        Assert.Equal(2, after.Stable);
        Assert.Equal(before.StableSince, after.StableSince);
        Assert.False(after.Restored);
        Assert.Empty(after.RolledBackFrom);
        Assert.Equal(before.Lineage, after.Lineage);
        Assert.Equal(1, after.PreviousStable);
        Assert.Null(after.Drill!.Running);
        Assert.Equal(1, after.DefaultRollbackTarget(2, now, Definition.BakeTime));
    }

    [Fact]
    public void A_version_that_baked_during_the_drill_stays_known_good()
    {
        var before = TwoStables();
        var baked = T0.AddHours(3).AddMinutes(1); // version 2 has been stable for over an hour

        var rollback = Changed(DrillTransitions.Rollback(before, "drill rollback", At(baked)));
        var after = Changed(DrillTransitions.Restore(rollback.State, rollback.State.Drill!.Running!.Id, At(baked))).State;

        Assert.Equal([1, 2], after.KnownGood);
    }

    [Fact]
    public void The_restore_is_refused_when_the_release_moved_on_during_the_drill()
    {
        var rollback = Changed(DrillTransitions.Rollback(TwoStables(), "drill rollback", At(T0.AddHours(3))));
        var deployed = Changed(ReleaseTransitions.DeployImmediate(rollback.State, 3, At(T0.AddHours(3)))).State;

        var refused = Assert.IsType<TransitionOutcome.Refused>(DrillTransitions.Restore(deployed, rollback.State.Drill!.Running!.Id, At(T0.AddHours(3))));

        Assert.Equal(RefusalReason.Superseded, refused.Reason);
        Assert.Contains("version 2 was not put back", refused.Detail);
    }

    [Fact]
    public void A_drill_is_refused_during_a_canary_rollout_while_another_drill_runs_and_without_a_target()
    {
        var stable = TwoStables();
        var canary = Changed(ReleaseTransitions.DeployCanary(stable, 3, RolloutPlan.Default, At(T0.AddHours(3)))).State;
        var drilling = Changed(DrillTransitions.Rollback(stable, "drill rollback", At(T0.AddHours(3)))).State;
        var lone = Changed(ReleaseTransitions.DeployImmediate(ReleaseState.Empty, 1, At(T0))).State;

        Assert.Contains("canary rollout of version 3", DrillTransitions.Refusal(canary, T0.AddHours(3), Definition.BakeTime)!.Detail);
        Assert.Contains("canary rollout", DrillTransitions.Refusal(canary with { Paused = true }, T0.AddHours(3), Definition.BakeTime)!.Detail);
        Assert.Contains("already running", DrillTransitions.Refusal(drilling, T0.AddHours(3), Definition.BakeTime)!.Detail);
        Assert.Equal(RefusalReason.NoRollbackTarget, DrillTransitions.Refusal(lone, T0.AddHours(3), Definition.BakeTime)!.Reason);
        Assert.Equal(RefusalReason.Conflict, DrillTransitions.Refusal(ReleaseState.Empty, T0, Definition.BakeTime)!.Reason);
        Assert.Null(DrillTransitions.Refusal(stable, T0.AddHours(3), Definition.BakeTime));
    }

    [Fact]
    public void A_degraded_agent_is_not_drilled_and_a_degradation_that_began_during_a_drill_outlasts_the_restore()
    {
        var stable = TwoStables();
        var degraded = Changed(ReleaseTransitions.Degrade(stable, "search", 1, "search is down", At(T0.AddHours(3)))).State;
        var rollback = Changed(DrillTransitions.Rollback(stable, "drill rollback", At(T0.AddHours(3)))).State;
        var degradedDuringDrill = Changed(ReleaseTransitions.Degrade(rollback, "search", 3, "search is down", At(T0.AddHours(3)))).State;

        var restored = Changed(DrillTransitions.Restore(degradedDuringDrill, rollback.Drill!.Running!.Id, At(T0.AddHours(3)))).State;

        Assert.Contains("degraded", DrillTransitions.Refusal(degraded, T0.AddHours(3), Definition.BakeTime)!.Detail);
        Assert.Equal((2, ReleaseStatus.Degraded, 3), (restored.Stable!.Value, restored.Status, restored.Degradation!.RouteTo));
        Assert.Empty(restored.RolledBackFrom);
    }

    [Fact]
    public void The_record_keeps_the_last_pass_through_a_failure_and_ends_only_its_own_run()
    {
        var rollback = Changed(DrillTransitions.Rollback(TwoStables(), "drill rollback", At(T0.AddHours(3)))).State;
        var passed = new DrillReport(DrillReport.Passed, 2, 1, 1, 1, 1, 3, new DrillReplicas(1, 1), null);
        var failed = passed with { Result = DrillReport.Failed, Failure = "probe said 500" };

        var afterOther = Changed(DrillTransitions.Record(rollback, passed, "evt_other", At(T0.AddHours(4)))).State;
        var afterPass = Changed(DrillTransitions.Record(rollback, passed, rollback.Drill!.Running!.Id, At(T0.AddHours(4)))).State;
        var afterFail = Changed(DrillTransitions.Record(afterPass, failed, "evt_none", At(T0.AddHours(5))));

        Assert.NotNull(afterOther.Drill!.Running);
        Assert.Null(afterPass.Drill!.Running);
        Assert.Equal(T0.AddHours(4), afterPass.Drill.LastPassedAt);
        Assert.Equal((T0.AddHours(5), "failed", T0.AddHours(4)), (afterFail.State.Drill!.LastAt!.Value, afterFail.State.Drill.LastResult, afterFail.State.Drill.LastPassedAt!.Value));
        Assert.Equal("drill", afterFail.Event.Type);
        Assert.Equal("drill failed: probe said 500", afterFail.Event.Detail);
        Assert.Same(failed, afterFail.Event.Drill);
    }
}
