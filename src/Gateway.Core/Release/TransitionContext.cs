using Rollgate.Agents;

namespace Rollgate.Release;

/// <summary>The facts a transition needs besides the current state: when, who, and the agent's definition.</summary>
public sealed record TransitionContext(DateTimeOffset Now, string Actor, long NextGeneration, AgentDefinition Definition)
{
    public HistoryEvent Event(string type, int? from, int? to, string? detail = null) => new()
    {
        Id = HistoryEvent.NewId(Now),
        At = Now,
        Type = type,
        Actor = Actor,
        From = from,
        To = to,
        Generation = NextGeneration,
        Detail = detail,
    };
}
