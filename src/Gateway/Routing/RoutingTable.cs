using System.Collections.Frozen;

namespace Rollgate.Routing;

/// <summary>The routing of every agent at one instant. Swapped atomically; readers never lock.</summary>
public sealed class RoutingTable
{
    public static readonly RoutingTable Empty = new(FrozenDictionary<string, AgentRoute>.Empty);

    public RoutingTable(FrozenDictionary<string, AgentRoute> byEntryRoute)
    {
        ByEntryRoute = byEntryRoute;
        ByName = byEntryRoute.Values.DistinctBy(a => a.Name).ToFrozenDictionary(a => a.Name, StringComparer.Ordinal);
    }

    /// <summary>Keyed by the YARP entry route id, which the request already carries.</summary>
    public FrozenDictionary<string, AgentRoute> ByEntryRoute { get; }

    /// <summary>Keyed by agent name, for tool calls that say which agent version made them.</summary>
    public FrozenDictionary<string, AgentRoute> ByName { get; }
}
