using Rollgate.Release;
using Rollgate.Stores;

namespace Rollgate.Drills;

/// <summary>
/// Runs the drills that agent definitions schedule (<c>drill.every</c>), on the controller replica: an agent is due
/// when its last drill, or before its first its creation, is <c>every</c> ago, and drilled once its release is settled
/// (see <see cref="DrillTransitions.Refusal"/>). Also ends drills a stopped replica left running.
/// </summary>
public sealed class DrillScheduler(IRollgateStore store, DrillRunner runner, TimeProvider timeProvider)
{
    public const string Actor = "schedule";

    private static readonly CommandIssuer Issuer = new(Actor);

    /// <summary>When the agent's next scheduled drill is due; null when its definition schedules none.</summary>
    public static DateTimeOffset? NextDueAt(AgentRecord record)
        => record.Definition.Drill?.Every is { } every ? (record.State.Drill?.LastAt ?? record.CreatedAt) + every : null;

    /// <returns>How many drills ran (passed or failed).</returns>
    public async Task<int> TickAsync(CancellationToken cancellationToken)
    {
        var drilled = 0;
        foreach (var agent in await store.ListAgentsAsync(cancellationToken))
        {
            var record = await store.GetAgentAsync(agent, cancellationToken);
            if (record is null)
            {
                continue;
            }

            var now = timeProvider.GetUtcNow();
            if (record.State.Drill?.Running is { } running)
            {
                if (now - running.StartedAt >= DrillRunner.AbandonedAfter)
                {
                    await runner.EndAbandonedAsync(agent, running, Issuer, cancellationToken);
                }

                continue;
            }

            if (NextDueAt(record) is not { } due || now < due || DrillTransitions.Refusal(record.State, now, record.Definition.BakeTime) is not null)
            {
                continue;
            }

            if (await runner.RunAsync(agent, Issuer, cancellationToken) is DrillOutcome.Ran)
            {
                drilled++;
            }
        }

        return drilled;
    }
}
