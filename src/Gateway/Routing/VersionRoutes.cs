using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Rollgate.Versions;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Rollgate.Routing;

/// <summary>
/// The routes requests are reassigned to: one per version and role, whose transforms carry the version's headers as
/// constants. They never match a request, so they are not YARP routes: a YARP route is also an ASP.NET Core endpoint,
/// with its route pattern, metadata and a place in the matcher, rebuilt whenever any route changes. These are
/// <see cref="RouteModel"/>s built with YARP's own transform builder (so they get exactly the transforms a YARP route
/// would) and found through <see cref="VersionRouteLookup"/>.
/// </summary>
/// <remarks>
/// Changed only by <see cref="ReleaseSynchronizer"/>, one change at a time; read by any request without locking.
/// A route is built by the first request that needs it and kept while its version is routed: most versions of a large
/// fleet are never requested, and a preview route only when an operator tries the version.
/// </remarks>
public sealed class VersionRoutes(ITransformBuilder transforms)
{
    private readonly ConcurrentDictionary<string, LazyRoute> _routes = new(StringComparer.Ordinal);
    // What each agent's routes were built for. Control plane only, like every change here.
    private readonly Dictionary<string, Dictionary<int, Installed>> _installed = new(StringComparer.Ordinal);

    /// <summary>Version routes currently installed (three per version), built or not.</summary>
    public int Count => _routes.Count;

    /// <summary>Version routes built so far.</summary>
    public int Built => _routes.Values.Count(r => r.IsBuilt);

    /// <summary>Every installed route (building those not built yet).</summary>
    public IEnumerable<RouteModel> All => _routes.Values.Select(r => r.Model);

    public bool TryGet(string routeId, [MaybeNullWhen(false)] out RouteModel route)
    {
        if (_routes.TryGetValue(routeId, out var lazy))
        {
            route = lazy.Model;
            return true;
        }

        route = null;
        return false;
    }

    /// <summary>
    /// Makes the agent's routes those of exactly <paramref name="snapshot"/>'s versions: builds the missing ones and
    /// those whose version or cluster changed, removes those of versions it no longer has. A version whose cluster
    /// YARP does not hold (yet) gets no routes: requests for it are answered as not loaded.
    /// </summary>
    /// <param name="clusters">Where the versions' clusters are found (YARP's proxy state).</param>
    public void Install(AgentSnapshot snapshot, IProxyStateLookup clusters)
    {
        var agent = snapshot.Record.Name;
        if (!_installed.TryGetValue(agent, out var installed))
        {
            installed = [];
            _installed[agent] = installed;
        }

        foreach (var version in snapshot.Versions.Values)
        {
            // A reset store may hold another version under the same number (the hash tells); a cluster YARP removed and
            // added again is a new ClusterState.
            var known = installed.TryGetValue(version.Number, out var built) && built.Hash == version.Hash;
            var clusterId = known ? built!.Cluster.ClusterId : BackendCluster.Of(version).Id;
            clusters.TryGetCluster(clusterId, out var cluster);
            if (known && built!.Cluster == cluster)
            {
                continue;
            }

            if (cluster is null)
            {
                RemoveVersion(agent, version.Number);
                installed.Remove(version.Number);
                continue;
            }

            foreach (var role in ProxyIds.Roles)
            {
                _routes[ProxyIds.VersionRoute(agent, version.Number, role)] = new LazyRoute(this, agent, version, role, cluster);
            }

            installed[version.Number] = new Installed(version.Hash, cluster);
        }

        foreach (var number in installed.Keys.Where(n => !snapshot.Versions.ContainsKey(n)).ToList())
        {
            RemoveVersion(agent, number);
            installed.Remove(number);
        }
    }

    /// <summary>Removes every route of an agent that is no longer routed.</summary>
    public void Remove(string agent)
    {
        if (_installed.Remove(agent, out var installed))
        {
            foreach (var number in installed.Keys)
            {
                RemoveVersion(agent, number);
            }
        }
    }

    private void RemoveVersion(string agent, int number)
    {
        foreach (var role in ProxyIds.Roles)
        {
            _routes.TryRemove(ProxyIds.VersionRoute(agent, number, role), out _);
        }
    }

    private RouteModel Build(string agent, AgentVersion version, VersionRole role, ClusterState cluster)
    {
        var config = new RouteConfig
        {
            RouteId = ProxyIds.VersionRoute(agent, version.Number, role),
            ClusterId = cluster.ClusterId,
            Metadata = new Dictionary<string, string>
            {
                [ProxyIds.AgentMetadataKey] = agent,
                [ProxyIds.VersionMetadataKey] = version.Number.ToString(CultureInfo.InvariantCulture),
                [ProxyIds.HashMetadataKey] = version.Hash,
                [ProxyIds.RoleMetadataKey] = ProxyIds.RoleName(role),
            },
        };

        // YARP's forwarder counts concurrent requests on the route's cluster; the transforms do not depend on it.
        return new RouteModel(config, cluster, transforms.Build(config, cluster: null));
    }

    private sealed record Installed(string Hash, ClusterState Cluster);

    /// <summary>A route as installed, built on first use. Two requests may race to build it; either's model serves.</summary>
    private sealed class LazyRoute(VersionRoutes owner, string agent, AgentVersion version, VersionRole role, ClusterState cluster)
    {
        private RouteModel? _model;

        public bool IsBuilt => Volatile.Read(ref _model) is not null;

        public RouteModel Model => Volatile.Read(ref _model) ?? Build();

        private RouteModel Build()
        {
            var model = owner.Build(agent, version, role, cluster);
            return Interlocked.CompareExchange(ref _model, model, null) ?? model;
        }
    }
}
