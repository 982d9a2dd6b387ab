namespace Rollgate.Rules.Evaluation;

/// <summary>
/// Where the controller keeps each agent's <see cref="RuleMemory"/> between evaluations: readable by whichever
/// replica holds the controller lease next (and, with the file store, by the same process after a restart).
/// </summary>
public interface IRuleMemoryStore
{
    Task<RuleMemory?> ReadAsync(string agent, CancellationToken cancellationToken);

    /// <summary>Replaces the agent's memory; <c>null</c> forgets it.</summary>
    Task WriteAsync(string agent, RuleMemory? memory, CancellationToken cancellationToken);
}
