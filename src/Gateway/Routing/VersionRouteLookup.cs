using System.Diagnostics.CodeAnalysis;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Rollgate.Routing;

/// <summary>
/// YARP's proxy state with the <see cref="VersionRoutes"/> added: what the data path resolves a version's route and
/// cluster through. Version routes are looked up first, as they are what the data path asks for.
/// </summary>
public sealed class VersionRouteLookup(IProxyStateLookup proxyState, VersionRoutes versionRoutes) : IProxyStateLookup
{
    public bool TryGetRoute(string id, [NotNullWhen(true)] out RouteModel? route)
        => versionRoutes.TryGet(id, out route) || proxyState.TryGetRoute(id, out route);

    public IEnumerable<RouteModel> GetRoutes() => proxyState.GetRoutes().Concat(versionRoutes.All);

    public bool TryGetCluster(string id, [NotNullWhen(true)] out ClusterState? cluster) => proxyState.TryGetCluster(id, out cluster);

    public IEnumerable<ClusterState> GetClusters() => proxyState.GetClusters();
}
