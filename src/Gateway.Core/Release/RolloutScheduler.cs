using Microsoft.Extensions.Logging;
using Rollgate.Stores;

namespace Rollgate.Release;

/// <summary>
/// Moves canary rollouts to their next step when a step's duration has passed. Runs on the controller replica
/// only; the due-check is repeated inside the transition, so a race with another writer can never promote twice.
/// </summary>
public sealed class RolloutScheduler(IRollgateStore store, ReleaseManager releases, TimeProvider timeProvider, ILogger<RolloutScheduler> logger)
{
    public const string Actor = "schedule";

    /// <returns>How many agents were promoted.</returns>
    public async Task<int> TickAsync(CancellationToken cancellationToken)
    {
        var promoted = 0;
        foreach (var agent in await store.ListAgentsAsync(cancellationToken))
        {
            var record = await store.GetAgentAsync(agent, cancellationToken);
            if (record is null || !ReleaseTransitions.IsStepDue(record.State, timeProvider.GetUtcNow()))
            {
                continue;
            }

            var result = await releases.ExecuteAsync(agent, null, Actor, (current, ctx) => ReleaseTransitions.IsStepDue(current.State, ctx.Now)
                ? ReleaseTransitions.Promote(current.State, ctx)
                : new TransitionOutcome.Refused(RefusalReason.Superseded, "Not due", "the step is no longer due"), cancellationToken);
            if (result is CommandResult.Committed committed)
            {
                promoted++;
                logger.LogInformation("Rollout of {Agent}: {Detail}", agent, committed.Event.Detail);
            }
        }

        return promoted;
    }
}
