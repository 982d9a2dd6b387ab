using CsCheck;
using Rollgate.Agents;
using Rollgate.Release;
using Rollgate.Rules;
using Rollgate.Rules.Evaluation;

namespace Rollgate.Tests.Release;

/// <summary>
/// Random sequences of deploy, canary, promote, rollback and the passing of time: a rollback that names no target
/// never moves traffic to a version that traffic was ever rolled back from, and a restored stable is never on
/// probation.
/// </summary>
public sealed class RollbackTargetPropertyTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly AgentDefinition Definition = new() { BakeTime = TimeSpan.FromHours(1) };
    private static readonly Rule RollbackRule = RuleParser.Parse("rollback when error_rate > 15%").Rule!;

    private abstract record Step;
    private sealed record DeployImmediate(int Version) : Step;
    private sealed record DeployCanary(int Version) : Step;
    private sealed record Promote : Step;
    private sealed record Rollback(int? To) : Step;
    private sealed record Wait(int Minutes) : Step;

    private static readonly Gen<Step> Steps = Gen.Frequency(
        (3, Gen.Int[1, 6].Select(v => (Step)new DeployImmediate(v))),
        (3, Gen.Int[1, 6].Select(v => (Step)new DeployCanary(v))),
        (2, Gen.Const((Step)new Promote())),
        (4, Gen.Const((Step)new Rollback(null))),
        (1, Gen.Int[1, 6].Select(v => (Step)new Rollback(v))),
        (2, Gen.OneOfConst(5, 30, 90).Select(m => (Step)new Wait(m))));

    [Fact]
    public void A_default_rollback_never_lands_on_a_version_that_was_rolled_back_from()
    {
        Steps.Array[1, 60].Sample(steps =>
        {
            var state = ReleaseState.Empty;
            var now = T0;
            var rolledBackFrom = new HashSet<int>();
            var generation = 1L;
            foreach (var step in steps)
            {
                var ctx = new TransitionContext(now, "property", ++generation, Definition);
                var outcome = step switch
                {
                    DeployImmediate d => ReleaseTransitions.DeployImmediate(state, d.Version, ctx),
                    DeployCanary d => ReleaseTransitions.DeployCanary(state, d.Version, RolloutPlan.Default, ctx),
                    Promote => ReleaseTransitions.Promote(state, ctx),
                    Rollback r => ReleaseTransitions.Rollback(state, r.To, null, ctx),
                    _ => null,
                };
                now += step is Wait w ? TimeSpan.FromMinutes(w.Minutes) : TimeSpan.FromSeconds(10);
                if (outcome is not TransitionOutcome.Changed changed)
                {
                    continue;
                }

                if (step is Rollback { To: null })
                {
                    Assert.NotEqual(changed.Event.From, changed.Event.To);
                    if (state.Canary is not null)
                    {
                        // Removing a canary moves no traffic anywhere new: the stable keeps it.
                        Assert.Equal(state.Stable, changed.Event.To);
                    }
                    else
                    {
                        Assert.DoesNotContain(changed.Event.To!.Value, rolledBackFrom);
                    }
                }

                if (changed.Event.Type == HistoryEventTypes.Rollback)
                {
                    rolledBackFrom.Add(changed.Event.From!.Value);
                    Assert.True(changed.State.IsRolledBackFrom(changed.Event.From.Value));
                }

                state = changed.State;
                Assert.Equal(rolledBackFrom.Order(), state.RolledBackFrom.Order());
                Assert.Equal(state.Stable, state.Lineage.Count > 0 ? state.Lineage[^1] : null);
                var subject = Subject.Of(new AgentRecord
                {
                    Name = "property-bot", Generation = generation, Definition = Definition, State = state, CreatedAt = T0, UpdatedAt = now,
                }, now);
                if (state is { Restored: true, Canary: null })
                {
                    Assert.False(subject!.Watches(RollbackRule));
                }
            }
        }, iter: 2_000);
    }
}
