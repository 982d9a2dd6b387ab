using Rollgate.Stores;

namespace Rollgate.Release;

/// <summary>
/// Moves canary rollouts to their next step when a step's duration has passed. Runs on the controller replica
/// only; the due-check is repeated inside the command, so a race with another writer can never promote twice.
/// </summary>
public sealed class RolloutScheduler(IRollgateStore store, ReleaseCommands commands, TimeProvider timeProvider)
{
    public const string Actor = "schedule";

    private static readonly CommandIssuer Issuer = new(Actor);

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

            if (await commands.PromoteIfDueAsync(agent, Issuer, cancellationToken) is CommandResult.Committed)
            {
                promoted++;
            }
        }

        return promoted;
    }
}
