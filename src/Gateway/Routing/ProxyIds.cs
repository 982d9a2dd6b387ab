namespace Rollgate.Routing;

/// <summary>
/// Route and cluster ids. Entry routes (YARP's) match client traffic; version routes (<see cref="VersionRoutes"/>) never
/// match and are only reassigned to; clusters are named by <see cref="BackendCluster"/>.
/// </summary>
public static class ProxyIds
{
    public const string UnroutedCluster = "rollgate:unrouted";
    public const string EntryRoutePrefix = "agent:";
    public const string AgentMetadataKey = "rollgate.agent";

    public static string EntryRoute(string agent) => EntryRoutePrefix + agent;

    public const string VersionMetadataKey = "rollgate.version";
    public const string HashMetadataKey = "rollgate.hash";
    public const string RoleMetadataKey = "rollgate.role";

    /// <summary>One route per version and role, so the headers that name them are constants of the route.</summary>
    public static string VersionRoute(string agent, int version, VersionRole role) => $"version:{agent}:{version}:{RoleName(role)}";

    public static string RoleName(VersionRole role) => role switch
    {
        VersionRole.Stable => "stable",
        VersionRole.Canary => "canary",
        _ => "preview",
    };

    public static readonly VersionRole[] Roles = [VersionRole.Stable, VersionRole.Canary, VersionRole.Preview];
}
