using System.Collections.Concurrent;

namespace Rollgate.Quality;

/// <summary>The judges' spend of a gateway that is alone (the file store): kept in this process; earlier days are forgotten as new ones start.</summary>
public sealed class InMemoryJudgeSpend : IJudgeSpend
{
    private readonly ConcurrentDictionary<(string Agent, DateOnly Day), double> _spent = new();

    public Task AddAsync(string agent, DateOnly day, double costUsd, CancellationToken cancellationToken)
    {
        if (!_spent.ContainsKey((agent, day)))
        {
            foreach (var old in _spent.Keys.Where(k => k.Agent == agent && k.Day < day.AddDays(-1)))
            {
                _spent.TryRemove(old, out _);
            }
        }

        _spent.AddOrUpdate((agent, day), costUsd, (_, spent) => spent + costUsd);
        return Task.CompletedTask;
    }

    public Task<double> GetAsync(string agent, DateOnly day, CancellationToken cancellationToken)
        => Task.FromResult(_spent.GetValueOrDefault((agent, day)));
}
