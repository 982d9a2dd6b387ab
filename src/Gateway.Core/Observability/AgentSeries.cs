using System.Text.Json;
using Rollgate.Release;

namespace Rollgate.Observability;

/// <summary>The per-agent series a replica writes when it applies an agent's release state.</summary>
public static class AgentSeries
{
    /// <summary>Status label values as the admin API writes them (<c>rolled_back</c>); a status added later is covered too.</summary>
    private static readonly (ReleaseStatus Status, string Label)[] Statuses =
        [.. Enum.GetValues<ReleaseStatus>().Select(s => (s, JsonNamingPolicy.SnakeCaseLower.ConvertName(s.ToString())))];

    private static readonly string[] Triggers = [.. Enum.GetValues<RollbackTrigger>().Select(t => t.ToLabel())];

    /// <summary>1 on the status this replica routes the agent by, 0 on every other, so an alert can say how long it has held.</summary>
    public static void SetStatus(string agent, ReleaseStatus status)
    {
        foreach (var (candidate, label) in Statuses)
        {
            RollgateMetrics.AgentStatus.WithLabels(agent, label).Set(candidate == status ? 1 : 0);
        }
    }

    public static void RemoveStatus(string agent)
    {
        foreach (var (_, label) in Statuses)
        {
            RollgateMetrics.AgentStatus.RemoveLabelled(agent, label);
        }
    }

    /// <summary>
    /// Creates the agent's rollback counters and histograms at 0. A series that first appears already at 1 shows no
    /// increase to <c>increase()</c> or <c>rate()</c>, so without this the first rollback of an agent on a replica
    /// would raise no alert and draw nothing on a dashboard.
    /// </summary>
    public static void PublishRollbackSeries(string agent)
    {
        foreach (var trigger in Triggers)
        {
            RollgateMetrics.Rollbacks.WithLabels(agent, trigger);
        }

        RollgateMetrics.RollbackApply.WithLabels(agent);
        // Only a rule's rollback has a detection time.
        RollgateMetrics.RollbackDetect.WithLabels(agent, RollbackTrigger.Rule.ToLabel());
    }
}
