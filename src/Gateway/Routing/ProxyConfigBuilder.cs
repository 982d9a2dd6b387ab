using Rollgate.Versions;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Rollgate.Routing;

/// <summary>
/// YARP's routes and clusters for all agents: one entry route per agent (what clients hit) and one cluster per
/// backend (<see cref="BackendCluster"/>). The routes a request is reassigned to are not YARP's (see
/// <see cref="VersionRoutes"/>). Only a new agent, new paths or a new backend need a YARP reload; new versions on a
/// known backend and moving traffic between versions never do.
/// </summary>
/// <remarks>
/// Remembers what it built last, and hands an unchanged route or cluster to YARP as the same object again: YARP keeps
/// the objects of an unchanged route or cluster, so the gateway never holds a second copy. Used by
/// <see cref="ReleaseSynchronizer"/> only, one call at a time.
/// </remarks>
public sealed class ProxyConfigBuilder(TimeSpan defaultBackendTimeout)
{
    /// <summary>
    /// Header values as UTF-8 toward backends and from them. Kestrel decodes request header values as UTF-8, so a
    /// client's non-ASCII value reaches the backend byte for byte (HttpClient's default, ASCII only, refuses it).
    /// </summary>
    /// <summary>How every backend client is built; tool calls use the same (so they share its connection pools).</summary>
    internal static readonly HttpClientConfig Client = new() { RequestHeaderEncoding = "utf-8", ResponseHeaderEncoding = "utf-8" };

    private static readonly ClusterConfig Unrouted = new() { ClusterId = ProxyIds.UnroutedCluster };

    private Dictionary<string, RouteConfig> _routes = new(StringComparer.Ordinal);
    private Dictionary<string, ClusterConfig> _clusters = new(StringComparer.Ordinal) { [Unrouted.ClusterId] = Unrouted };
    // Cluster ids by version hash, which covers the backend: a version's cluster is worked out once.
    private Dictionary<string, string> _clusterOf = new(StringComparer.Ordinal);

    /// <summary>
    /// True when the last configuration built already serves the agent as it is: its entry route unchanged and the
    /// cluster of every version present.
    /// </summary>
    public bool Covers(AgentSnapshot agent)
        => _routes.TryGetValue(ProxyIds.EntryRoute(agent.Record.Name), out var route) && SameMatch(route, EntryRoute(agent))
           && agent.Versions.Values.All(v => _clusters.ContainsKey(ClusterOf(v, _clusterOf)));

    /// <summary>
    /// The configuration for exactly <paramref name="agents"/>, and whether it differs from the last one built (when it
    /// does not, YARP needs no update).
    /// </summary>
    public (IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters, bool Changed) Build(IEnumerable<AgentSnapshot> agents)
    {
        var routes = new Dictionary<string, RouteConfig>(StringComparer.Ordinal);
        var clusters = new Dictionary<string, ClusterConfig>(StringComparer.Ordinal) { [Unrouted.ClusterId] = Unrouted };
        var clusterOf = new Dictionary<string, string>(StringComparer.Ordinal);
        var changed = false;
        foreach (var agent in agents)
        {
            var route = EntryRoute(agent);
            if (_routes.TryGetValue(route.RouteId, out var built) && SameMatch(built, route))
            {
                route = built;
            }
            else
            {
                changed = true;
            }

            routes[route.RouteId] = route;
            foreach (var version in agent.Versions.Values)
            {
                var id = ClusterOf(version, clusterOf);
                if (clusters.ContainsKey(id))
                {
                    continue;
                }

                if (!_clusters.TryGetValue(id, out var cluster))
                {
                    cluster = Cluster(BackendCluster.Of(version));
                    changed = true;
                }

                clusters[id] = cluster;
            }
        }

        changed |= routes.Count != _routes.Count || clusters.Count != _clusters.Count;
        _routes = routes;
        _clusters = clusters;
        _clusterOf = clusterOf;
        return (routes.Values.ToArray(), clusters.Values.ToArray(), changed);
    }

    /// <summary>The version's cluster id, from <see cref="_clusterOf"/> when known; recorded in <paramref name="into"/>.</summary>
    private string ClusterOf(AgentVersion version, Dictionary<string, string> into)
    {
        if (!_clusterOf.TryGetValue(version.Hash, out var id) && !into.TryGetValue(version.Hash, out id))
        {
            id = BackendCluster.Of(version).Id;
            // One string for every version on the cluster.
            id = _clusters.TryGetValue(id, out var known) ? known.ClusterId : id;
        }

        into[version.Hash] = id;
        return id;
    }

    private static RouteConfig EntryRoute(AgentSnapshot agent)
    {
        var name = agent.Record.Name;
        var definition = agent.Record.Definition;
        return new RouteConfig
        {
            RouteId = ProxyIds.EntryRoute(name),
            ClusterId = ProxyIds.UnroutedCluster,
            Match = new RouteMatch
            {
                Path = $"{definition.EffectivePathPrefix(name)}/{{**{RestOfPathTransform.Parameter}}}",
                Hosts = definition.Hosts.Count > 0 ? definition.Hosts.ToArray() : null,
            },
            Metadata = new Dictionary<string, string> { [ProxyIds.AgentMetadataKey] = name },
        };
    }

    private static bool SameMatch(RouteConfig built, RouteConfig route)
        => built.Match.Path == route.Match.Path && (built.Match.Hosts ?? []).SequenceEqual(route.Match.Hosts ?? []);

    private ClusterConfig Cluster(BackendCluster backend) => new()
    {
        ClusterId = backend.Id,
        Destinations = backend.Destinations.Select((d, i) => (d, i)).ToDictionary(x => $"d{x.i}", x => new DestinationConfig { Address = x.d }),
        HttpRequest = new ForwarderRequestConfig { ActivityTimeout = backend.Timeout ?? defaultBackendTimeout },
        HttpClient = Client,
    };
}
