using Rollgate.Agents;
using Rollgate.Release;

namespace Rollgate.Tests.Release;

/// <summary>The release state machine, pure: deploy, canary steps, pause/resume, rollback targets and bake time.</summary>
public sealed class ReleaseTransitionsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly AgentDefinition Definition = new() { BakeTime = TimeSpan.FromHours(1) };

    private static TransitionContext At(DateTimeOffset now, long generation = 2) => new(now, "tester", generation, Definition);

    private static ReleaseState Apply(TransitionOutcome outcome) => Assert.IsType<TransitionOutcome.Changed>(outcome).State;

    [Fact]
    public void Immediate_deploy_makes_the_version_stable_and_remembers_the_one_it_replaced()
    {
        var first = Apply(ReleaseTransitions.DeployImmediate(ReleaseState.Empty, 1, At(T0)));
        var second = Apply(ReleaseTransitions.DeployImmediate(first, 2, At(T0.AddMinutes(1))));

        Assert.Equal(ReleaseStatus.Stable, second.Status);
        Assert.Equal(2, second.Stable);
        Assert.Equal(1, second.PreviousStable);
        Assert.Equal(T0.AddMinutes(1), second.StableSince);
    }

    [Fact]
    public void Event_carries_actor_generation_and_from_to()
    {
        var outcome = Assert.IsType<TransitionOutcome.Changed>(ReleaseTransitions.DeployImmediate(ReleaseState.Empty with { Stable = 3 }, 4, At(T0, generation: 9)));

        Assert.Equal("deploy", outcome.Event.Type);
        Assert.Equal("tester", outcome.Event.Actor);
        Assert.Equal(9, outcome.Event.Generation);
        Assert.Equal(3, outcome.Event.From);
        Assert.Equal(4, outcome.Event.To);
        Assert.Equal(T0, outcome.Event.At);
    }

    [Fact]
    public void Default_rollback_target_is_the_newest_known_good_version()
    {
        var state = Apply(ReleaseTransitions.DeployImmediate(ReleaseState.Empty, 1, At(T0)));
        state = Apply(ReleaseTransitions.DeployImmediate(state, 2, At(T0.AddHours(2)))); // 1 baked for 2h: known good
        state = Apply(ReleaseTransitions.DeployImmediate(state, 3, At(T0.AddHours(2.5)))); // 2 served 30 min: not known good

        var rolledBack = Apply(ReleaseTransitions.Rollback(state, null, "bad", At(T0.AddHours(2.6))));

        Assert.Equal([1], state.KnownGood);
        Assert.Equal(1, rolledBack.Stable);
        Assert.Equal(ReleaseStatus.RolledBack, rolledBack.Status);
    }

    [Fact]
    public void Without_a_known_good_version_the_target_is_the_stable_it_replaced()
    {
        var state = Apply(ReleaseTransitions.DeployImmediate(ReleaseState.Empty, 1, At(T0)));
        state = Apply(ReleaseTransitions.DeployImmediate(state, 2, At(T0.AddMinutes(5))));

        var rolledBack = Apply(ReleaseTransitions.Rollback(state, null, null, At(T0.AddMinutes(6))));

        Assert.Empty(state.KnownGood);
        Assert.Equal(1, rolledBack.Stable);
        Assert.Equal([2], rolledBack.RolledBackFrom);
        Assert.True(rolledBack.Restored);
    }

    [Fact]
    public void A_baked_current_stable_is_not_its_own_rollback_target()
    {
        var state = Apply(ReleaseTransitions.DeployImmediate(ReleaseState.Empty, 1, At(T0)));
        state = Apply(ReleaseTransitions.DeployImmediate(state, 2, At(T0.AddMinutes(5))));

        var rolledBack = Apply(ReleaseTransitions.Rollback(state, null, null, At(T0.AddHours(3)))); // 2 has baked

        Assert.Equal(1, rolledBack.Stable);
        Assert.Equal(2, state.LastKnownGood(T0.AddHours(3), Definition.BakeTime));
    }

    [Fact]
    public void Nothing_to_roll_back_to_is_a_conflict()
    {
        var state = Apply(ReleaseTransitions.DeployImmediate(ReleaseState.Empty, 1, At(T0)));

        var refused = Assert.IsType<TransitionOutcome.Refused>(ReleaseTransitions.Rollback(state, null, null, At(T0.AddMinutes(1))));
        var empty = Assert.IsType<TransitionOutcome.Refused>(ReleaseTransitions.Rollback(ReleaseState.Empty, null, null, At(T0)));

        Assert.Equal(RefusalReason.NoRollbackTarget, refused.Reason);
        Assert.Contains("name one with \"to\"", refused.Detail);
        Assert.Equal(RefusalReason.Conflict, empty.Reason);
    }

    [Fact]
    public void Rolling_back_twice_walks_back_the_lineage_instead_of_returning_to_the_version_just_left()
    {
        var state = Apply(ReleaseTransitions.DeployImmediate(ReleaseState.Empty, 1, At(T0)));
        state = Apply(ReleaseTransitions.DeployImmediate(state, 2, At(T0.AddMinutes(1))));
        state = Apply(ReleaseTransitions.DeployImmediate(state, 3, At(T0.AddMinutes(2))));

        var first = Apply(ReleaseTransitions.Rollback(state, null, null, At(T0.AddMinutes(3))));
        var second = Apply(ReleaseTransitions.Rollback(first, null, null, At(T0.AddMinutes(4))));
        var third = Assert.IsType<TransitionOutcome.Refused>(ReleaseTransitions.Rollback(second, null, null, At(T0.AddMinutes(5))));

        Assert.Equal(2, first.Stable);
        Assert.Equal(1, second.Stable);
        Assert.Equal([3, 2], second.RolledBackFrom);
        Assert.Equal(RefusalReason.NoRollbackTarget, third.Reason);
    }

    [Fact]
    public void A_known_good_version_that_was_rolled_back_from_is_skipped_but_can_still_be_named()
    {
        var state = Apply(ReleaseTransitions.DeployImmediate(ReleaseState.Empty, 1, At(T0)));
        state = Apply(ReleaseTransitions.DeployImmediate(state, 2, At(T0.AddHours(2)))); // 1 known good
        state = Apply(ReleaseTransitions.DeployImmediate(state, 3, At(T0.AddHours(4)))); // 2 known good
        state = Apply(ReleaseTransitions.Rollback(state, 2, null, At(T0.AddHours(4.1))));
        state = Apply(ReleaseTransitions.Rollback(state, null, null, At(T0.AddHours(4.2)))); // leaves 2 for 1

        var defaultTarget = state.DefaultRollbackTarget(1, T0.AddHours(4.3), Definition.BakeTime);
        var named = Apply(ReleaseTransitions.Rollback(state, 3, "the fix was elsewhere", At(T0.AddHours(4.3))));

        Assert.Equal(1, state.Stable);
        Assert.Null(defaultTarget);
        Assert.Equal(1, state.LastKnownGood(T0.AddHours(4.3), Definition.BakeTime));
        Assert.Equal(3, named.Stable);
    }

    [Fact]
    public void A_rolled_back_canary_is_marked_and_never_becomes_the_target_of_the_next_rollback()
    {
        var state = Apply(ReleaseTransitions.DeployImmediate(ReleaseState.Empty, 1, At(T0)));
        state = Apply(ReleaseTransitions.DeployImmediate(state, 2, At(T0.AddMinutes(1))));
        state = Apply(ReleaseTransitions.DeployCanary(state, 3, RolloutPlan.Default, At(T0.AddMinutes(2))));
        state = Apply(ReleaseTransitions.Rollback(state, null, null, At(T0.AddMinutes(3))));
        state = Apply(ReleaseTransitions.DeployImmediate(state, 3, At(T0.AddMinutes(4)))); // named explicitly: allowed

        var back = Apply(ReleaseTransitions.Rollback(state, null, null, At(T0.AddMinutes(5))));
        var again = Apply(ReleaseTransitions.Rollback(back, null, null, At(T0.AddMinutes(6))));

        Assert.Equal(2, back.Stable);
        Assert.Equal(1, again.Stable);
        Assert.True(again.IsRolledBackFrom(3));
        Assert.True(again.IsRolledBackFrom(2));
        Assert.False(again.IsRolledBackFrom(1));
    }

    [Fact]
    public void A_restored_stable_is_marked_restored_until_another_version_becomes_stable()
    {
        var state = Apply(ReleaseTransitions.DeployImmediate(ReleaseState.Empty, 1, At(T0)));
        state = Apply(ReleaseTransitions.DeployImmediate(state, 2, At(T0.AddMinutes(1))));
        var restored = Apply(ReleaseTransitions.Rollback(state, null, null, At(T0.AddMinutes(2))));
        var canaryRemoved = Apply(ReleaseTransitions.Rollback(
            Apply(ReleaseTransitions.DeployCanary(restored, 3, RolloutPlan.Default, At(T0.AddMinutes(3)))), null, null, At(T0.AddMinutes(4))));
        var redeployed = Apply(ReleaseTransitions.DeployImmediate(canaryRemoved, 4, At(T0.AddMinutes(5))));

        Assert.False(state.Restored);
        Assert.Equal(1, state.PreviousStable);
        Assert.True(restored.Restored);
        Assert.True(canaryRemoved.Restored);
        Assert.False(redeployed.Restored);
        Assert.Equal(1, redeployed.PreviousStable);
    }

    [Fact]
    public void Rolling_back_a_canary_removes_it_and_keeps_the_stable()
    {
        var state = Apply(ReleaseTransitions.DeployImmediate(ReleaseState.Empty, 1, At(T0)));
        state = Apply(ReleaseTransitions.DeployCanary(state, 2, RolloutPlan.Default, At(T0.AddMinutes(1))));

        var outcome = Assert.IsType<TransitionOutcome.Changed>(ReleaseTransitions.Rollback(state, null, "errors", At(T0.AddMinutes(2))));

        Assert.Null(outcome.State.Canary);
        Assert.Equal(0, outcome.State.CanaryPercent);
        Assert.Equal(1, outcome.State.Stable);
        Assert.Equal(T0, outcome.State.StableSince);
        Assert.Equal(2, outcome.Event.From);
        Assert.Equal(1, outcome.Event.To);
    }

    [Fact]
    public void Canary_walks_its_steps_and_completes_into_stable()
    {
        var plan = new RolloutPlan { Steps = [5, 25, 100], StepDuration = TimeSpan.FromMinutes(10) };
        var state = Apply(ReleaseTransitions.DeployImmediate(ReleaseState.Empty, 1, At(T0)));
        state = Apply(ReleaseTransitions.DeployCanary(state, 2, plan, At(T0)));
        Assert.Equal(5, state.CanaryPercent);
        Assert.False(ReleaseTransitions.IsStepDue(state, T0.AddMinutes(9)));
        Assert.True(ReleaseTransitions.IsStepDue(state, T0.AddMinutes(10)));

        state = Apply(ReleaseTransitions.Promote(state, At(T0.AddMinutes(10))));
        Assert.Equal(25, state.CanaryPercent);
        Assert.Equal(1, state.Rollout!.StepIndex);

        state = Apply(ReleaseTransitions.Promote(state, At(T0.AddMinutes(20))));
        Assert.Equal(ReleaseStatus.Stable, state.Status);
        Assert.Equal(2, state.Stable);
        Assert.Equal(1, state.PreviousStable);
        Assert.Null(state.Canary);
    }

    [Fact]
    public void Paused_rollouts_do_not_progress_and_resume_restarts_the_step()
    {
        var state = Apply(ReleaseTransitions.DeployImmediate(ReleaseState.Empty, 1, At(T0)));
        state = Apply(ReleaseTransitions.DeployCanary(state, 2, RolloutPlan.Default, At(T0)));
        state = Apply(ReleaseTransitions.Pause(state, At(T0.AddMinutes(1))));

        Assert.Equal(ReleaseStatus.Paused, state.Status);
        Assert.False(ReleaseTransitions.IsStepDue(state, T0.AddHours(5)));
        Assert.IsType<TransitionOutcome.Refused>(ReleaseTransitions.Pause(state, At(T0.AddMinutes(2))));

        state = Apply(ReleaseTransitions.Resume(state, At(T0.AddHours(5))));
        Assert.Equal(T0.AddHours(5), state.Rollout!.StepStartedAt);
        Assert.False(ReleaseTransitions.IsStepDue(state, T0.AddHours(5).AddMinutes(9)));
    }

    [Fact]
    public void Canary_needs_a_stable_and_only_one_canary_at_a_time()
    {
        Assert.IsType<TransitionOutcome.Refused>(ReleaseTransitions.DeployCanary(ReleaseState.Empty, 1, RolloutPlan.Default, At(T0)));
        var state = Apply(ReleaseTransitions.DeployImmediate(ReleaseState.Empty, 1, At(T0)));
        state = Apply(ReleaseTransitions.DeployCanary(state, 2, RolloutPlan.Default, At(T0)));

        var second = Assert.IsType<TransitionOutcome.Refused>(ReleaseTransitions.DeployCanary(state, 3, RolloutPlan.Default, At(T0)));

        Assert.Contains("already in canary", second.Detail);
    }
}
