using Rollgate.Agents;
using Rollgate.Release;

namespace Rollgate.Tests.Tools;

/// <summary>Degrade and restore as pure transitions, and how they meet the operator's own commands.</summary>
public sealed class DegradationTransitionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly AgentDefinition Definition = new() { BakeTime = TimeSpan.FromMinutes(1) };

    private static readonly ReleaseState Canary = new()
    {
        Stable = 13,
        Canary = 14,
        CanaryPercent = 25,
        StableSince = Now.AddHours(-2),
        Lineage = [12, 13],
        Rollout = new RolloutProgress([5, 25, 100], 1, Now, TimeSpan.FromMinutes(10)),
    };

    [Fact]
    public void Degrading_routes_everything_to_the_fallback_and_pauses_the_canary_without_losing_it()
    {
        var degraded = Changed(ReleaseTransitions.Degrade(Canary, "refund", 11, "tool down", Ctx()));

        Assert.Equal(ReleaseStatus.Degraded, degraded.State.Status);
        Assert.Equal((11, (int?)null), (degraded.State.ServingStable, degraded.State.ServingCanary));
        Assert.Equal((13, 14, true), (degraded.State.Stable, degraded.State.Canary, degraded.State.Paused));
        Assert.Equal((HistoryEventTypes.Degrade, 13, 11), (degraded.Event.Type, degraded.Event.From, degraded.Event.To));
        Assert.Empty(degraded.State.RolledBackFrom); // a failing tool is not the stable's fault

        var restored = Changed(ReleaseTransitions.Restore(degraded.State, "refund", "tool back", Ctx()));
        Assert.Equal(ReleaseStatus.Paused, restored.State.Status);
        Assert.Equal((13, (int?)14), (restored.State.ServingStable, restored.State.ServingCanary));
        Assert.Equal((HistoryEventTypes.Restore, 11, 13), (restored.Event.Type, restored.Event.From, restored.Event.To));
    }

    [Fact]
    public void Degrade_and_restore_refuse_what_does_not_apply()
    {
        Assert.IsType<TransitionOutcome.Refused>(ReleaseTransitions.Degrade(ReleaseState.Empty, "refund", 11, "x", Ctx()));
        Assert.IsType<TransitionOutcome.Refused>(ReleaseTransitions.Degrade(new ReleaseState { Stable = 11 }, "refund", 11, "x", Ctx()));
        var degraded = Changed(ReleaseTransitions.Degrade(Canary, "refund", 11, "x", Ctx())).State;
        Assert.Equal(RefusalReason.Superseded, Refused(ReleaseTransitions.Degrade(degraded, "search", 12, "x", Ctx())).Reason);
        Assert.Equal(RefusalReason.Superseded, Refused(ReleaseTransitions.Restore(degraded, "search", "x", Ctx())).Reason);
        Assert.Equal(RefusalReason.Superseded, Refused(ReleaseTransitions.Restore(Canary, "refund", "x", Ctx())).Reason);
    }

    [Fact]
    public void While_degraded_the_rollout_does_not_move()
    {
        var degraded = Changed(ReleaseTransitions.Degrade(Canary, "refund", 11, "x", Ctx())).State;

        Assert.Contains("degraded", Refused(ReleaseTransitions.Promote(degraded, Ctx())).Detail);
        Assert.Contains("degraded", Refused(ReleaseTransitions.Resume(degraded, Ctx())).Detail);
        Assert.Contains("degraded", Refused(ReleaseTransitions.Weight(degraded, 50, Ctx())).Detail);
        Assert.False(ReleaseTransitions.IsStepDue(degraded, Now.AddHours(1)));
    }

    [Fact]
    public void An_operator_rollback_or_deploy_ends_the_degradation_and_waives_the_outage_under_way()
    {
        var degraded = Changed(ReleaseTransitions.Degrade(Canary, "refund", 11, "x", Ctx())).State;

        var rolledBack = Changed(ReleaseTransitions.Rollback(degraded, null, "operator", Ctx())).State;
        Assert.Null(rolledBack.Degradation);
        Assert.Equal((13, (int?)null), (rolledBack.ServingStable, rolledBack.ServingCanary));
        Assert.True(rolledBack.IsWaived("refund", Now.AddMinutes(-5)));
        Assert.False(rolledBack.IsWaived("refund", Now.AddSeconds(1))); // a later outage degrades again
        Assert.False(rolledBack.IsWaived("search", Now.AddMinutes(-5)));

        var deployed = Changed(ReleaseTransitions.DeployImmediate(degraded, 13, Ctx())).State;
        Assert.Null(deployed.Degradation);
        Assert.Equal(13, deployed.ServingStable);
        Assert.True(deployed.IsWaived("refund", Now));
        Assert.Equal(RefusalReason.Superseded, Refused(ReleaseTransitions.Restore(deployed, "refund", "x", Ctx())).Reason);
    }

    private static TransitionContext Ctx() => new(Now, "test", 2, Definition);

    private static TransitionOutcome.Changed Changed(TransitionOutcome outcome) => Assert.IsType<TransitionOutcome.Changed>(outcome);

    private static TransitionOutcome.Refused Refused(TransitionOutcome outcome) => Assert.IsType<TransitionOutcome.Refused>(outcome);
}
