namespace Rollgate.Quality;

/// <summary>
/// What each agent's judge has cost today (UTC), across the fleet: every replica adds the cost of its judge calls, and
/// each one checks the total before a call, so <c>maxDailyCostUsd</c> caps the fleet's spend, not each replica's.
/// </summary>
public interface IJudgeSpend
{
    /// <summary>Adds <paramref name="costUsd"/> to the agent's spend on <paramref name="day"/>.</summary>
    /// <exception cref="Stores.StoreUnavailableException">The shared store cannot be reached.</exception>
    Task AddAsync(string agent, DateOnly day, double costUsd, CancellationToken cancellationToken);

    /// <summary>The agent's spend on <paramref name="day"/>; 0 when nothing was spent.</summary>
    /// <exception cref="Stores.StoreUnavailableException">The shared store cannot be reached.</exception>
    Task<double> GetAsync(string agent, DateOnly day, CancellationToken cancellationToken);
}

public static class JudgeSpends
{
    /// <summary>A day's spend is kept a day longer than the day itself, so a replica whose clock lags still finds it.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(2);
}
