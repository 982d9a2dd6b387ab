using Rollgate.Agents;
using Rollgate.Routing;
using static Rollgate.Tests.Routing.RoutingSnapshots;

namespace Rollgate.Tests.Routing;

/// <summary>What YARP is given: an entry route per agent and a cluster per backend, the same objects while unchanged.</summary>
public sealed class ProxyConfigBuilderTests
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public void Versions_on_one_backend_share_one_cluster_across_versions_and_agents()
    {
        var builder = new ProxyConfigBuilder(DefaultTimeout);
        var (routes, clusters, changed) = builder.Build(
        [
            Agent("support-bot", Version(1), Version(2, [ "http://127.0.0.1:9001" ], content: "new prompt"), Version(3, "http://127.0.0.1:9002")),
            Agent("billing-bot", Version(1), Version(2, [ "http://127.0.0.1:9001" ], timeout: "30s")),
        ]);

        Assert.True(changed);
        Assert.Equal(["agent:billing-bot", "agent:support-bot"], routes.Select(r => r.RouteId).Order(StringComparer.Ordinal));
        Assert.All(routes, r => Assert.Equal(ProxyIds.UnroutedCluster, r.ClusterId));
        // 9001 with the default timeout, 9001 with 30 s, 9002; and the entry routes' cluster.
        Assert.Equal(4, clusters.Count);
        var shared = Assert.Single(clusters, c => c.ClusterId == BackendCluster.Of(Version(1)).Id);
        Assert.Equal("http://127.0.0.1:9001", Assert.Single(shared.Destinations!.Values).Address);
        Assert.Equal(DefaultTimeout, shared.HttpRequest!.ActivityTimeout);
        var bounded = Assert.Single(clusters, c => c.ClusterId == BackendCluster.Of(Version(2, ["http://127.0.0.1:9001"], timeout: "30s")).Id);
        Assert.Equal(TimeSpan.FromSeconds(30), bounded.HttpRequest!.ActivityTimeout);
        Assert.Contains(clusters, c => c.ClusterId == ProxyIds.UnroutedCluster);
    }

    [Fact]
    public void A_cluster_is_named_by_its_backend_alone()
    {
        var id = BackendCluster.Of(Version(1, ["http://127.0.0.1:9001", "http://127.0.0.1:9002"])).Id;

        Assert.StartsWith(BackendCluster.IdPrefix, id);
        Assert.Equal(id, BackendCluster.Of(Version(7, ["http://127.0.0.1:9001", "http://127.0.0.1:9002"], content: "other prompt")).Id);
        Assert.NotEqual(id, BackendCluster.Of(Version(1, ["http://127.0.0.1:9002", "http://127.0.0.1:9001"])).Id); // the order is the backend's
        Assert.NotEqual(id, BackendCluster.Of(Version(1, ["http://127.0.0.1:9001"])).Id);
        Assert.NotEqual(id, BackendCluster.Of(Version(1, ["http://127.0.0.1:9001", "http://127.0.0.1:9002"], timeout: "5m")).Id);
    }

    [Fact]
    public void An_unchanged_fleet_is_unchanged_for_YARP_and_keeps_its_objects()
    {
        var builder = new ProxyConfigBuilder(DefaultTimeout);
        var first = builder.Build([Agent("support-bot", Version(1)), Agent("billing-bot", Version(1, "http://127.0.0.1:9002"))]);

        var again = builder.Build([Agent("billing-bot", Version(1, "http://127.0.0.1:9002")), Agent("support-bot", Version(1), Version(2, ["http://127.0.0.1:9001"], content: "v2"))]);

        Assert.False(again.Changed);
        Assert.Equal(first.Routes.ToHashSet(ReferenceEqualityComparer.Instance), again.Routes.ToHashSet(ReferenceEqualityComparer.Instance));
        Assert.Equal(first.Clusters.ToHashSet(ReferenceEqualityComparer.Instance), again.Clusters.ToHashSet(ReferenceEqualityComparer.Instance));
    }

    [Fact]
    public void A_new_backend_a_new_agent_or_new_paths_change_the_config_and_only_what_changed_is_new()
    {
        var builder = new ProxyConfigBuilder(DefaultTimeout);
        var support = Agent("support-bot", Version(1));
        var first = builder.Build([support]);
        var supportRoute = Assert.Single(first.Routes);

        var newBackend = builder.Build([Agent("support-bot", Version(1), Version(2, "http://127.0.0.1:9002"))]);
        Assert.True(newBackend.Changed);
        Assert.Same(supportRoute, Assert.Single(newBackend.Routes));
        Assert.Equal(3, newBackend.Clusters.Count);
        Assert.Contains(first.Clusters.Single(c => c.ClusterId != ProxyIds.UnroutedCluster), newBackend.Clusters);

        var newAgent = builder.Build([Agent("support-bot", Version(1), Version(2, "http://127.0.0.1:9002")), Agent("billing-bot", Version(1))]);
        Assert.True(newAgent.Changed);
        Assert.Contains(supportRoute, newAgent.Routes);

        var newPath = builder.Build([Agent("support-bot", new AgentDefinition { PathPrefix = "/support" }, Version(1), Version(2, "http://127.0.0.1:9002")), Agent("billing-bot", Version(1))]);
        Assert.True(newPath.Changed);
        Assert.Equal("/support/{**rest}", newPath.Routes.Single(r => r.RouteId == "agent:support-bot").Match.Path);

        var dropped = builder.Build([Agent("billing-bot", Version(1))]);
        Assert.True(dropped.Changed);
        Assert.Equal(["agent:billing-bot"], dropped.Routes.Select(r => r.RouteId));
        Assert.Equal(2, dropped.Clusters.Count); // 9002 is no longer called by anyone
    }

    [Fact]
    public void Covers_tells_when_an_agent_needs_nothing_YARP_does_not_have()
    {
        var builder = new ProxyConfigBuilder(DefaultTimeout);
        builder.Build([Agent("support-bot", Version(1)), Agent("billing-bot", Version(1, "http://127.0.0.1:9002"))]);

        Assert.True(builder.Covers(Agent("support-bot", Version(1), Version(2, ["http://127.0.0.1:9001"], content: "v2"))));
        Assert.True(builder.Covers(Agent("support-bot", Version(1), Version(2, "http://127.0.0.1:9002")))); // billing-bot's backend
        Assert.False(builder.Covers(Agent("support-bot", Version(1), Version(2, "http://127.0.0.1:9003"))));
        Assert.False(builder.Covers(Agent("support-bot", Version(1), Version(2, ["http://127.0.0.1:9001"], timeout: "1s"))));
        Assert.False(builder.Covers(Agent("support-bot", new AgentDefinition { Hosts = ["support.example"] }, Version(1))));
        Assert.False(builder.Covers(Agent("new-bot", Version(1))));
    }
}
