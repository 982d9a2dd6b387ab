namespace Rollgate.Agents;

/// <summary>While <see cref="Tool"/>'s circuit is open, the agent's traffic goes to version <see cref="RouteTo"/>.</summary>
public sealed record DegradationRoute
{
    public required string Tool { get; init; }
    public required int RouteTo { get; init; }
}
