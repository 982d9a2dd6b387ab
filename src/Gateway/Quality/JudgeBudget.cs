namespace Rollgate.Quality;

/// <summary>
/// What each agent's judge has cost this replica today (UTC): calls stop once the day's spend reaches the agent's
/// <c>maxDailyCostUsd</c>, and start again the next day. Read and written by the judge workers only.
/// </summary>
public sealed class JudgeBudget(TimeProvider time)
{
    private readonly Dictionary<string, (DateOnly Day, double Spent)> _spent = new(StringComparer.Ordinal);

    /// <summary>True while the agent's judge has spent less than its daily budget today.</summary>
    public bool Allows(QualityPlan plan)
    {
        lock (_spent)
        {
            return SpentToday(plan.Agent) < plan.MaxDailyCostUsd;
        }
    }

    public void Add(string agent, double costUsd)
    {
        lock (_spent)
        {
            _spent[agent] = (Today, SpentToday(agent) + costUsd);
        }
    }

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    private double SpentToday(string agent) => _spent.TryGetValue(agent, out var entry) && entry.Day == Today ? entry.Spent : 0;
}
