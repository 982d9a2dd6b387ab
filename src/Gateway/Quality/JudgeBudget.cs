using System.Collections.Concurrent;
using Rollgate.Stores;

namespace Rollgate.Quality;

/// <summary>
/// Each agent's judge budget for the day (UTC), for the whole fleet: calls stop once the judges of all replicas have
/// spent the agent's <c>maxDailyCostUsd</c> (<see cref="IJudgeSpend"/>), and start again the next day. Calls already
/// under way when the budget is reached still count, so the day's spend may pass it by those. Used by the judge
/// workers only, off the request path.
/// </summary>
public sealed partial class JudgeBudget(IJudgeSpend spend, TimeProvider time, ILogger<JudgeBudget> logger)
{
    /// <summary>Spend a replica could not add while the store was unreachable, added with its next spend.</summary>
    private readonly ConcurrentDictionary<(string Agent, DateOnly Day), double> _unsent = new();

    /// <summary>
    /// Why the agent's judge may not be called now: <see cref="JudgeOutcome.OverBudget"/> when today's spend reached the
    /// budget, <see cref="JudgeOutcome.Failed"/> when the spend cannot be read (an unchecked budget spends nothing);
    /// null when it may.
    /// </summary>
    public async Task<string?> RefusalAsync(QualityPlan plan, CancellationToken cancellationToken)
    {
        var today = Today;
        try
        {
            var spent = await spend.GetAsync(plan.Agent, today, cancellationToken) + _unsent.GetValueOrDefault((plan.Agent, today));
            return spent < plan.MaxDailyCostUsd ? null : JudgeOutcome.OverBudget;
        }
        catch (StoreUnavailableException ex)
        {
            LogSpendUnreadable(logger, ex, plan.Agent);
            return JudgeOutcome.Failed;
        }
    }

    /// <summary>Adds what a judge call cost; kept and added later when the store is unreachable, never lost while the replica runs.</summary>
    public async Task AddAsync(string agent, double costUsd, CancellationToken cancellationToken)
    {
        var key = (agent, Today);
        var total = costUsd + (_unsent.TryRemove(key, out var unsent) ? unsent : 0);
        try
        {
            await spend.AddAsync(agent, key.Today, total, cancellationToken);
        }
        catch (StoreUnavailableException ex)
        {
            _unsent.AddOrUpdate(key, total, (_, earlier) => earlier + total);
            LogSpendNotAdded(logger, ex, agent);
        }
    }

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

    // Debug: it would say so for every sample while the store is down, which the store's own log already reports.
    [LoggerMessage(1403, LogLevel.Debug, "The judge spend of agent {Agent} cannot be read: nothing is judged until it can")]
    private static partial void LogSpendUnreadable(ILogger logger, Exception exception, string agent);

    [LoggerMessage(1404, LogLevel.Warning, "The judge spend of agent {Agent} could not be added: it is kept and added with the next")]
    private static partial void LogSpendNotAdded(ILogger logger, Exception exception, string agent);
}
