using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Rollgate.Routing;
using Rollgate.Tests.Infrastructure;
using Yarp.ReverseProxy.Configuration;

namespace Rollgate.Tests.Routing;

/// <summary>
/// What a fleet costs YARP, through the real host: one route per agent and one cluster per backend, however many
/// versions; a new version on a known backend reloads nothing and is routable at once, in every role.
/// </summary>
public sealed class FleetProxyConfigTests : IAsyncLifetime
{
    private GatewayInstance _gateway = null!;
    private TestBackend _shared = null!;
    private TestBackend _other = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayInstance.StartAsync();
        _shared = await TestBackend.StartAsync("shared");
        _other = await TestBackend.StartAsync("other");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _shared.DisposeAsync();
        await _other.DisposeAsync();
    }

    [Fact]
    public async Task Versions_share_their_backends_cluster_and_a_new_one_needs_no_YARP_reload()
    {
        await _gateway.ReleaseAsync("alpha-bot", _shared.Url);
        await _gateway.ReleaseAsync("beta-bot", _shared.Url);
        var second = await _gateway.CreateVersionAsync("alpha-bot", _shared.Url, "A second prompt.");
        await _gateway.DeployAsync("alpha-bot", second, "canary", new { steps = new[] { 50, 100 }, stepDuration = "1h" });
        var provider = _gateway.Services.GetRequiredService<IProxyConfigProvider>();
        var config = provider.GetConfig();

        Assert.Equal(["agent:alpha-bot", "agent:beta-bot"], config.Routes.Select(r => r.RouteId).Order(StringComparer.Ordinal));
        Assert.Equal(2, config.Clusters.Count);
        Assert.Contains(config.Clusters, c => c.ClusterId == ProxyIds.UnroutedCluster);
        var backend = Assert.Single(config.Clusters, c => c.ClusterId.StartsWith(BackendCluster.IdPrefix, StringComparison.Ordinal));
        Assert.Equal(_shared.Url, Assert.Single(backend.Destinations!.Values).Address);

        // A third version on the same backend: served in its preview role as soon as it is known, with no new config.
        var third = await _gateway.CreateVersionAsync("alpha-bot", _shared.Url, "A third prompt.");
        var echo = await Eventually.SucceedsAsync<TestBackend.Echo, Xunit.Sdk.XunitException>(async () =>
        {
            var response = await _gateway.Proxy.SendAsync(Preview("alpha-bot", third));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var served = await TestBackend.Echo.ReadAsync(response);
            Assert.Equal(third.ToString(), served.Headers["X-Rollgate-Version"]);
            return served;
        }, "the third version is routable");
        Assert.Equal(("shared", "preview", "alpha-bot"), (echo.Backend, echo.Headers["X-Rollgate-Role"], echo.Headers["X-Rollgate-Agent"]));
        Assert.Same(config, provider.GetConfig());

        // Stable and canary still go where they went, with their roles.
        var roles = new HashSet<string>();
        for (var session = 0; session < 64 && roles.Count < 2; session++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/agents/alpha-bot/x") { Headers = { { "X-Session-Id", $"session-{session}" } } };
            var served = await TestBackend.Echo.ReadAsync(await _gateway.Proxy.SendAsync(request));
            roles.Add($"{served.Headers["X-Rollgate-Role"]} {served.Headers["X-Rollgate-Version"]}");
        }

        Assert.Equal(["canary 2", "stable 1"], roles.Order(StringComparer.Ordinal));

        // A version on another backend adds that backend's cluster.
        var fourth = await _gateway.CreateVersionAsync("alpha-bot", _other.Url, "On another backend.");
        await Eventually.TrueAsync(async () =>
        {
            var response = await _gateway.Proxy.SendAsync(Preview("alpha-bot", fourth));
            return response.StatusCode == HttpStatusCode.OK && (await TestBackend.Echo.ReadAsync(response)).Backend == "other";
        }, "the fourth version is served by the other backend");
        Assert.Equal(3, provider.GetConfig().Clusters.Count);
        Assert.Equal(2, provider.GetConfig().Routes.Count);
    }

    private static HttpRequestMessage Preview(string agent, int version) => new(HttpMethod.Get, $"/agents/{agent}/x")
    {
        Headers = { { "X-Rollgate-Preview-Version", version.ToString() }, { "X-Rollgate-Preview-Token", GatewayInstance.OperatorToken } },
    };
}
