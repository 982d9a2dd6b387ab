using System.Collections.Concurrent;

namespace Rollgate.Rules.Evaluation;

/// <summary>The rule-state board of a single-process gateway (file store).</summary>
public sealed class InMemoryRuleStateBoard : IRuleStateBoard
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<RuleStatus>> _states = new(StringComparer.Ordinal);

    public Task PublishAsync(string agent, IReadOnlyList<RuleStatus> statuses, CancellationToken cancellationToken)
    {
        _states[agent] = statuses;
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<RuleStatus>?> ReadAsync(string agent, CancellationToken cancellationToken)
        => Task.FromResult(_states.TryGetValue(agent, out var statuses) ? statuses : null);
}
