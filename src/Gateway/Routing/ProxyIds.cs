namespace Rollgate.Routing;

/// <summary>YARP route and cluster ids. Entry routes match client traffic; version routes never match and are only reassigned to.</summary>
public static class ProxyIds
{
    public const string UnroutedCluster = "rollgate:unrouted";
    public const string EntryRoutePrefix = "agent:";
    public const string AgentMetadataKey = "rollgate.agent";

    public static string EntryRoute(string agent) => EntryRoutePrefix + agent;

    public static string VersionRoute(string agent, int version) => $"version:{agent}:{version}";

    public static string VersionCluster(string agent, int version) => $"version:{agent}:{version}";
}
