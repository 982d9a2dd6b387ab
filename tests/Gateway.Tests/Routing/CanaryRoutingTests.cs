using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Http;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Routing;

/// <summary>Weighted, sticky version choice through the real host with two real backends.</summary>
public sealed class CanaryRoutingTests(CanaryRoutingTests.Fixture fixture) : IClassFixture<CanaryRoutingTests.Fixture>
{
    private readonly GatewayInstance _gateway = fixture.Gateway;

    public sealed class Fixture : IAsyncLifetime
    {
        public GatewayInstance Gateway { get; private set; } = null!;
        public TestBackend Stable { get; private set; } = null!;
        public TestBackend Canary { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Gateway = await GatewayInstance.StartAsync();
            Stable = await TestBackend.StartAsync("stable");
            Canary = await TestBackend.StartAsync("canary");
        }

        public async Task DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await Stable.DisposeAsync();
            await Canary.DisposeAsync();
        }
    }

    private async Task<(int Stable, int Canary)> CanaryAsync(string agent, double percent, object? definition = null)
    {
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync(agent, definition));
        var stable = await _gateway.CreateVersionAsync(agent, fixture.Stable.Url, "stable");
        var canary = await _gateway.CreateVersionAsync(agent, fixture.Canary.Url, "canary");
        await _gateway.DeployAsync(agent, stable);
        await _gateway.DeployAsync(agent, canary, "canary", new { steps = new[] { percent, 100 }, stepDuration = "1h" });
        return (stable, canary);
    }

    private async Task<string> VersionForAsync(string agent, Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/agents/{agent}/chat");
        configure?.Invoke(request);
        var response = await _gateway.Proxy.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response.Headers.GetValues(RollgateHeaders.Version).Single();
    }

    [Fact]
    public async Task Keyless_traffic_splits_by_weight_within_one_percentage_point_over_10000_requests()
    {
        var (_, canary) = await CanaryAsync("split-bot", 20);
        var canaryHits = 0;

        await Parallel.ForAsync(0, 10_000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, _) =>
        {
            if (await VersionForAsync("split-bot") == canary.ToString())
            {
                Interlocked.Increment(ref canaryHits);
            }
        });

        Assert.InRange(canaryHits / 100.0, 19.0, 21.0);
    }

    [Fact]
    public async Task Versions_on_the_same_backend_share_its_connection_pool()
    {
        var connections = new ConcurrentDictionary<string, byte>();
        await using var backend = await TestBackend.StartAsync("shared", context =>
        {
            connections.TryAdd(context.Connection.Id, 0);
            return context.Response.WriteAsync("{}");
        });
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("pool-bot", null));
        var stable = await _gateway.CreateVersionAsync("pool-bot", backend.Url, "stable");
        var canary = await _gateway.CreateVersionAsync("pool-bot", backend.Url, "canary");
        await _gateway.DeployAsync("pool-bot", stable);
        await _gateway.DeployAsync("pool-bot", canary, "canary", new { steps = new[] { 50, 100 }, stepDuration = "1h" });

        var versions = new HashSet<string>();
        for (var i = 0; i < 40; i++)
        {
            versions.Add(await VersionForAsync("pool-bot")); // one after another: an idle pooled connection is reused
        }

        Assert.Equal([stable.ToString(), canary.ToString()], versions.Order(StringComparer.Ordinal));
        Assert.Single(connections); // a pool per version would have opened one connection each
    }

    [Fact]
    public async Task Sessions_keep_their_version_and_growing_the_canary_only_moves_sessions_from_stable_to_canary()
    {
        var (stable, canary) = await CanaryAsync("sticky-bot", 10);
        var sessions = Enumerable.Range(0, 1000).Select(i => $"conversation-{i}").ToArray();
        var first = new ConcurrentDictionary<string, string>();

        await Parallel.ForEachAsync(sessions, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (session, _) =>
        {
            var versions = new HashSet<string>();
            for (var i = 0; i < 5; i++)
            {
                versions.Add(await VersionForAsync("sticky-bot", r => r.Headers.Add(RollgateHeaders.SessionId, session)));
            }

            Assert.Single(versions);
            first[session] = versions.Single();
        });
        await GatewayInstance.EnsureAsync(await _gateway.Admin.PostAsync("/admin/agents/sticky-bot/weight", GatewayInstance.Json(new { canaryPercent = 50 })));
        var after = new ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(sessions, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (session, _) =>
            after[session] = await VersionForAsync("sticky-bot", r => r.Headers.Add(RollgateHeaders.SessionId, session)));

        var canaryBefore = sessions.Count(s => first[s] == canary.ToString());
        var canaryAfter = sessions.Count(s => after[s] == canary.ToString());
        Assert.InRange(canaryBefore, 60, 140);   // ~10% of 1,000 sessions
        Assert.InRange(canaryAfter, 430, 570);   // ~50%
        Assert.All(sessions.Where(s => first[s] == canary.ToString()), s => Assert.Equal(canary.ToString(), after[s]));
        Assert.Contains(sessions, s => first[s] == stable.ToString() && after[s] == canary.ToString());
    }

    [Theory]
    [InlineData("cookie")]
    [InlineData("query")]
    public async Task Sticky_key_can_come_from_a_cookie_or_a_query_parameter(string source)
    {
        var agent = $"sticky-{source}-bot";
        await CanaryAsync(agent, 50, new { stickyBy = source == "cookie" ? (object)new { cookie = "conv" } : new { query = "conv" } });

        foreach (var session in Enumerable.Range(0, 40).Select(i => $"s{i}"))
        {
            var versions = new HashSet<string>();
            for (var i = 0; i < 4; i++)
            {
                var request = new HttpRequestMessage(HttpMethod.Get, source == "cookie" ? $"/agents/{agent}/x" : $"/agents/{agent}/x?conv={session}");
                if (source == "cookie")
                {
                    request.Headers.Add("Cookie", $"conv={session}");
                }

                var response = await _gateway.Proxy.SendAsync(request);
                versions.Add(response.Headers.GetValues(RollgateHeaders.Version).Single());
            }

            Assert.Single(versions);
        }
    }

    [Fact]
    public async Task Preview_header_forces_a_version_only_with_an_operator_token()
    {
        var (stable, canary) = await CanaryAsync("preview-bot", 0.01);

        var withToken = await VersionForAsync("preview-bot", r =>
        {
            r.Headers.Add(RollgateHeaders.PreviewVersion, canary.ToString());
            r.Headers.Add(RollgateHeaders.PreviewToken, GatewayInstance.OperatorToken);
        });
        var viewerToken = await VersionForAsync("preview-bot", r =>
        {
            r.Headers.Add(RollgateHeaders.PreviewVersion, canary.ToString());
            r.Headers.Add(RollgateHeaders.PreviewToken, GatewayInstance.ViewerToken);
            r.Headers.Add(RollgateHeaders.SessionId, "not-in-the-canary-bucket");
        });
        var noToken = await VersionForAsync("preview-bot", r =>
        {
            r.Headers.Add(RollgateHeaders.PreviewVersion, canary.ToString());
            r.Headers.Add(RollgateHeaders.SessionId, "not-in-the-canary-bucket");
        });

        Assert.Equal(canary.ToString(), withToken);
        Assert.Equal(stable.ToString(), viewerToken);
        Assert.Equal(stable.ToString(), noToken);
        var echo = await TestBackend.Echo.ReadAsync(await _gateway.Proxy.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/agents/preview-bot/x")
        {
            Headers = { { RollgateHeaders.PreviewVersion, canary.ToString() }, { RollgateHeaders.PreviewToken, GatewayInstance.OperatorToken } },
        }));
        Assert.Equal("preview", echo.Headers[RollgateHeaders.Role]);
        Assert.False(echo.Headers.ContainsKey(RollgateHeaders.PreviewToken));
    }

    [Fact]
    public async Task A_canary_that_refuses_connections_is_retried_on_stable_and_counted_as_a_canary_error()
    {
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("retry-bot"));
        var stable = await _gateway.CreateVersionAsync("retry-bot", fixture.Stable.Url, "stable");
        var canary = await _gateway.CreateVersionAsync("retry-bot", $"http://127.0.0.1:{FreePort.Get()}", "dead canary");
        await _gateway.DeployAsync("retry-bot", stable);
        await _gateway.DeployAsync("retry-bot", canary, "canary", new { steps = new[] { 100 }, stepDuration = "1h" });

        var get = await _gateway.Proxy.GetAsync("/agents/retry-bot/ask");
        var post = await _gateway.Proxy.PostAsync("/agents/retry-bot/chat", GatewayInstance.Json(new { messages = new[] { "hello" } }));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(stable.ToString(), get.Headers.GetValues(RollgateHeaders.Version).Single());
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal("POST", (await TestBackend.Echo.ReadAsync(post)).Method);
        var metrics = await _gateway.Admin.GetStringAsync("/metrics");
        Assert.Contains($"rollgate_requests_total{{agent=\"retry-bot\",version=\"{canary}\",role=\"canary\",outcome=\"error\"}} 2", metrics);
        Assert.Contains($"rollgate_requests_total{{agent=\"retry-bot\",version=\"{stable}\",role=\"stable\",outcome=\"success\"}} 2", metrics);
    }

    [Fact]
    public async Task Promote_pause_resume_and_weight_drive_the_rollout_through_the_admin_api()
    {
        var (stable, canary) = await CanaryAsync("rollout-bot", 5);

        var paused = await Command("rollout-bot", "pause", new { reason = "looking at traces" });
        var resumed = await Command("rollout-bot", "resume", new { });
        var weighted = await Command("rollout-bot", "weight", new { canaryPercent = 12.5 });
        var promoted = await Command("rollout-bot", "promote", new { });
        var afterPause = await _gateway.Admin.GetStringAsync("/admin/agents/rollout-bot/history?limit=4");

        Assert.Equal("paused", paused["agent"]!["status"]!.GetValue<string>());
        Assert.Equal("canary", resumed["agent"]!["status"]!.GetValue<string>());
        Assert.Equal(12.5, weighted["agent"]!["canaryPercent"]!.GetValue<double>());
        Assert.Equal(canary, promoted["agent"]!["stable"]!.GetValue<int>());
        Assert.Equal("stable", promoted["agent"]!["status"]!.GetValue<string>());
        Assert.Contains("looking at traces", afterPause);
        Assert.Equal(canary.ToString(), await VersionForAsync("rollout-bot"));
        var rollback = await _gateway.RollbackAsync("rollout-bot");
        Assert.Equal(stable, rollback["to"]!.GetValue<int>()); // the previous stable is kept as the rollback target
    }

    private async Task<System.Text.Json.Nodes.JsonObject> Command(string agent, string command, object body)
    {
        var response = await _gateway.Admin.PostAsync($"/admin/agents/{agent}/{command}", GatewayInstance.Json(body));
        await GatewayInstance.EnsureAsync(response);
        return System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
    }
}
