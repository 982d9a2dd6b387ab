using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Rollgate.Routing;
using Rollgate.Versions;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms.Builder;
using static Rollgate.Tests.Routing.RoutingSnapshots;

namespace Rollgate.Tests.Routing;

/// <summary>The routes requests are reassigned to: built by the gateway, three per version, kept while unchanged.</summary>
public sealed class VersionRoutesTests
{
    private readonly ClusterLookup _clusters = new();
    private readonly VersionRoutes _routes;

    public VersionRoutesTests()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddReverseProxy().AddTransforms<RollgateTransforms>();
        _routes = new VersionRoutes(services.BuildServiceProvider().GetRequiredService<ITransformBuilder>());
    }

    [Fact]
    public async Task Every_version_gets_a_route_per_role_with_its_cluster_and_the_gateways_transforms()
    {
        var v1 = Version(1);
        var v2 = Version(2, "http://127.0.0.1:9002");
        var clusters = _clusters.Load(v1, v2);

        _routes.Install(Agent("support-bot", v1, v2), _clusters);

        Assert.Equal(6, _routes.Count);
        foreach (var (version, cluster) in new[] { (v1, clusters[0]), (v2, clusters[1]) })
        {
            foreach (var role in ProxyIds.Roles)
            {
                var route = Route("support-bot", version.Number, role);
                Assert.Same(cluster, route.Cluster);
                Assert.Equal(cluster.ClusterId, route.Config.ClusterId);
                var headers = await ForwardedHeadersAsync(route);
                Assert.Equal("support-bot", headers["X-Rollgate-Agent"]);
                Assert.Equal(version.Number.ToString(), headers["X-Rollgate-Version"]);
                Assert.Equal(version.Hash, headers["X-Rollgate-Version-Hash"]);
                Assert.Equal(ProxyIds.RoleName(role), headers["X-Rollgate-Role"]);
            }
        }
    }

    [Fact]
    public void A_route_is_built_by_its_first_use_and_only_once()
    {
        // Most versions of a large fleet are never requested, and most preview routes never used.
        InstallTwoVersions("support-bot");
        Assert.Equal((6, 0), (_routes.Count, _routes.Built));

        var canary = Route("support-bot", 2, VersionRole.Canary);
        var again = Route("support-bot", 2, VersionRole.Canary);

        Assert.Same(canary, again);
        Assert.Equal(1, _routes.Built);
        Assert.Equal("canary", canary.Config.Metadata![ProxyIds.RoleMetadataKey]);
    }

    [Fact]
    public void Unchanged_versions_keep_their_routes_and_new_ones_are_added()
    {
        var v1 = Version(1);
        Install("support-bot", v1);
        var stable = Route("support-bot", 1, VersionRole.Stable);

        Install("support-bot", v1, Version(2, ["http://127.0.0.1:9001"], content: "v2"));

        Assert.Equal(6, _routes.Count);
        Assert.Same(stable, Route("support-bot", 1, VersionRole.Stable));
        Assert.Equal("canary", Route("support-bot", 2, VersionRole.Canary).Config.Metadata![ProxyIds.RoleMetadataKey]);
    }

    [Fact]
    public void Another_version_under_the_same_number_or_a_reloaded_cluster_gets_new_routes()
    {
        // A store that lost its data can hold another version under a number this replica routed before.
        Install("support-bot", Version(1));
        var old = Route("support-bot", 1, VersionRole.Stable);

        var after = Version(1, "http://127.0.0.1:9002");
        var cluster = _clusters.Load(after)[0];
        _routes.Install(Agent("support-bot", after), _clusters);
        var replaced = Route("support-bot", 1, VersionRole.Stable);
        Assert.NotSame(old, replaced);
        Assert.Same(cluster, replaced.Cluster);
        Assert.Equal(after.Hash, replaced.Config.Metadata![ProxyIds.HashMetadataKey]);

        // YARP dropped the cluster and added it again: a new ClusterState, which the route must count on.
        var reloaded = _clusters.Reload(after);
        _routes.Install(Agent("support-bot", after), _clusters);
        var rebuilt = Route("support-bot", 1, VersionRole.Stable);
        Assert.Same(reloaded, rebuilt.Cluster);
    }

    [Fact]
    public void A_version_whose_cluster_YARP_does_not_hold_yet_gets_its_routes_once_it_does()
    {
        var v1 = Version(1);
        _routes.Install(Agent("support-bot", v1), _clusters);
        Assert.Equal(0, _routes.Count);

        _clusters.Load(v1);
        _routes.Install(Agent("support-bot", v1), _clusters);
        Assert.Equal(3, _routes.Count);
    }

    [Fact]
    public void Versions_an_agent_no_longer_has_and_agents_no_longer_routed_lose_their_routes()
    {
        var (v1, _) = InstallTwoVersions("support-bot");
        _routes.Install(Agent("billing-bot", v1), _clusters);

        _routes.Install(Agent("support-bot", v1), _clusters);
        Assert.False(_routes.TryGet(ProxyIds.VersionRoute("support-bot", 2, VersionRole.Stable), out _));
        Assert.Equal(6, _routes.Count);

        _routes.Remove("support-bot");
        Assert.Equal(3, _routes.Count);
        Assert.All(_routes.All, r => Assert.Equal("billing-bot", r.Config.Metadata![ProxyIds.AgentMetadataKey]));
    }

    [Fact]
    public void The_lookup_finds_version_routes_and_asks_YARP_for_everything_else()
    {
        var v1 = Version(1);
        var cluster = _clusters.Load(v1)[0];
        var entry = new RouteModel(new RouteConfig { RouteId = "agent:support-bot", ClusterId = ProxyIds.UnroutedCluster }, null, Yarp.ReverseProxy.Forwarder.HttpTransformer.Default);
        _clusters.Routes[entry.Config.RouteId] = entry;
        _routes.Install(Agent("support-bot", v1), _clusters);
        var lookup = new VersionRouteLookup(_clusters, _routes);

        Assert.True(lookup.TryGetRoute(ProxyIds.VersionRoute("support-bot", 1, VersionRole.Preview), out var version));
        Assert.Equal(ProxyIds.VersionRoute("support-bot", 1, VersionRole.Preview), version.Config.RouteId);
        Assert.True(lookup.TryGetRoute("agent:support-bot", out var found));
        Assert.Same(entry, found);
        Assert.False(lookup.TryGetRoute("agent:unknown", out _));
        Assert.True(lookup.TryGetCluster(cluster.ClusterId, out var same));
        Assert.Same(cluster, same);
        Assert.Equal(4, lookup.GetRoutes().Count());
        Assert.Single(lookup.GetClusters());
    }

    /// <summary>Installs two versions of <paramref name="agent"/> on one backend.</summary>
    private (AgentVersion V1, AgentVersion V2) InstallTwoVersions(string agent)
    {
        var v1 = Version(1);
        var v2 = Version(2, ["http://127.0.0.1:9001"], content: "v2");
        Install(agent, v1, v2);
        return (v1, v2);
    }

    /// <summary>Installs the agent with exactly <paramref name="versions"/>, whose clusters YARP holds.</summary>
    private void Install(string agent, params AgentVersion[] versions)
    {
        _clusters.Load(versions);
        _routes.Install(Agent(agent, versions), _clusters);
    }

    private RouteModel Route(string agent, int version, VersionRole role)
    {
        Assert.True(_routes.TryGet(ProxyIds.VersionRoute(agent, version, role), out var route));
        return route;
    }

    private static async Task<Dictionary<string, string>> ForwardedHeadersAsync(RouteModel route)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("127.0.0.1", 8080);
        using var proxyRequest = new HttpRequestMessage();
        await route.Transformer.TransformRequestAsync(context, proxyRequest, "http://127.0.0.1:9001", CancellationToken.None);
        return proxyRequest.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value));
    }

    /// <summary>The clusters YARP holds, as the synchroniser sees them through its proxy state.</summary>
    private sealed class ClusterLookup : IProxyStateLookup
    {
        private readonly Dictionary<string, ClusterState> _clusters = new(StringComparer.Ordinal);

        public Dictionary<string, RouteModel> Routes { get; } = new(StringComparer.Ordinal);

        public ClusterState[] Load(params AgentVersion[] versions)
            => versions.Select(v => BackendCluster.Of(v).Id).Select(id => _clusters.TryGetValue(id, out var c) ? c : _clusters[id] = new ClusterState(id)).ToArray();

        public ClusterState Reload(AgentVersion version)
        {
            var id = BackendCluster.Of(version).Id;
            return _clusters[id] = new ClusterState(id);
        }

        public bool TryGetRoute(string id, [NotNullWhen(true)] out RouteModel? route) => Routes.TryGetValue(id, out route);

        public IEnumerable<RouteModel> GetRoutes() => Routes.Values;

        public bool TryGetCluster(string id, [NotNullWhen(true)] out ClusterState? cluster) => _clusters.TryGetValue(id, out cluster);

        public IEnumerable<ClusterState> GetClusters() => _clusters.Values;
    }
}
