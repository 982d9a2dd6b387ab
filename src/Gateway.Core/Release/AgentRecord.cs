using Rollgate.Agents;

namespace Rollgate.Release;

/// <summary>Everything the store keeps about one agent apart from versions and history; versioned by <see cref="Generation"/>.</summary>
public sealed record AgentRecord
{
    public required string Name { get; init; }
    /// <summary>Bumped by exactly one on every committed change; the optimistic-concurrency token (ETag) of the agent.</summary>
    public required long Generation { get; init; }
    public required AgentDefinition Definition { get; init; }
    public required ReleaseState State { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}
