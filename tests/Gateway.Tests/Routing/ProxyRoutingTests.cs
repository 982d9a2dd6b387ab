using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Routing;

/// <summary>The data path through the real host: routing, headers, errors and streaming.</summary>
public sealed class ProxyRoutingTests : IAsyncLifetime
{
    private GatewayInstance _gateway = null!;
    private TestBackend _backend = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayInstance.StartAsync();
        _backend = await TestBackend.StartAsync("v1-backend");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Fact]
    public async Task Routes_rest_of_path_and_query_to_the_stable_backend_with_rollgate_headers()
    {
        var version = await _gateway.ReleaseAsync("echo-bot", _backend.Url);

        var request = new HttpRequestMessage(HttpMethod.Post, "/agents/echo-bot/v1/chat?x=1&y=two") { Content = GatewayInstance.Json(new { hello = "world" }) };
        request.Headers.Add(RollgateHeaders.RequestId, "client-chosen-id");
        request.Headers.Add(RollgateHeaders.Version, "999");   // a client cannot speak for the gateway
        request.Headers.Add(RollgateHeaders.Role, "spoofed");
        request.Headers.Add("X-Forwarded-For", "203.0.113.9"); // replaced: the gateway states who called it
        var response = await _gateway.Proxy.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await TestBackend.Echo.ReadAsync(response);
        Assert.Equal("/v1/chat", echo.Path);
        Assert.Equal("?x=1&y=two", echo.Query);
        Assert.Equal("POST", echo.Method);
        Assert.Equal("echo-bot", echo.Headers[RollgateHeaders.Agent]);
        Assert.Equal(version.ToString(), echo.Headers[RollgateHeaders.Version]);
        Assert.StartsWith("sha256:", echo.Headers[RollgateHeaders.VersionHash]);
        Assert.Equal("stable", echo.Headers[RollgateHeaders.Role]);
        Assert.Equal("client-chosen-id", echo.Headers[RollgateHeaders.RequestId]);
        Assert.Equal("127.0.0.1", echo.Headers["X-Forwarded-For"]);
        Assert.Equal("http", echo.Headers["X-Forwarded-Proto"]);
        Assert.Equal(_gateway.Proxy.BaseAddress!.Authority, echo.Headers["X-Forwarded-Host"]);
        Assert.Equal(version.ToString(), response.Headers.GetValues(RollgateHeaders.Version).Single());
        Assert.Equal("client-chosen-id", response.Headers.GetValues(RollgateHeaders.RequestId).Single());
    }

    [Fact]
    public async Task Forwarding_headers_are_the_gateways_own_whatever_the_client_sent()
    {
        await _gateway.ReleaseAsync("forward-bot", _backend.Url);

        var request = new HttpRequestMessage(HttpMethod.Get, "/agents/forward-bot/x");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "spoofed.example");
        request.Headers.Add("X-Forwarded-Prefix", "/spoofed");
        request.Headers.Add("Forwarded", "for=203.0.113.9;proto=https");
        request.Headers.Add(RollgateHeaders.Agent, "someone-else");
        request.Headers.Add(RollgateHeaders.VersionHash, "sha256:spoofed");
        var echo = await TestBackend.Echo.ReadAsync(await _gateway.Proxy.SendAsync(request));

        Assert.Equal("http", echo.Headers["X-Forwarded-Proto"]);
        Assert.Equal(_gateway.Proxy.BaseAddress!.Authority, echo.Headers["X-Forwarded-Host"]);
        Assert.False(echo.Headers.ContainsKey("X-Forwarded-Prefix"));
        Assert.False(echo.Headers.ContainsKey("Forwarded"));
        Assert.Equal("forward-bot", echo.Headers[RollgateHeaders.Agent]);
        Assert.NotEqual("sha256:spoofed", echo.Headers[RollgateHeaders.VersionHash]);
        Assert.Equal(new Uri(_backend.Url).Authority, echo.Headers["Host"]); // the destination's, not the gateway's
        Assert.Matches("^[0-9a-f]{32}$", echo.Headers[RollgateHeaders.RequestId]);       // generated: the client sent none
    }

    [Theory]
    [InlineData("/agents/path-bot", "/")]
    [InlineData("/agents/path-bot/", "/")]
    [InlineData("/AGENTS/Path-Bot/v1/Chat", "/v1/Chat")]
    [InlineData("/agents/path-bot/a%20b/c", "/a%20b/c")]
    [InlineData("/agents/path-bot/a/b?q=%2F&r=a+b", "/a/b?q=%2F&r=a+b")]
    [InlineData("/agents/path-bot/%C3%A9t%C3%A9/x", "/%C3%A9t%C3%A9/x")]
    [InlineData("/agents/path-bot/a//b/", "/a//b/")]
    public async Task Forwards_the_path_after_the_agent_prefix_as_the_client_encoded_it(string path, string target)
    {
        await _gateway.ReleaseAsync("path-bot", _backend.Url);

        var response = await _gateway.Proxy.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(target, (await TestBackend.Echo.ReadAsync(response)).RawTarget);
    }

    [Fact]
    public async Task Generates_a_request_id_when_the_client_sent_none()
    {
        await _gateway.ReleaseAsync("id-bot", _backend.Url);

        var response = await _gateway.Proxy.GetAsync("/agents/id-bot/");
        var echo = await TestBackend.Echo.ReadAsync(response);

        var id = response.Headers.GetValues(RollgateHeaders.RequestId).Single();
        Assert.Equal(32, id.Length);
        Assert.Equal(id, echo.Headers[RollgateHeaders.RequestId]);
    }

    [Fact]
    public async Task An_unusable_client_request_id_is_replaced_not_forwarded()
    {
        await _gateway.ReleaseAsync("long-id-bot", _backend.Url);

        var request = new HttpRequestMessage(HttpMethod.Get, "/agents/long-id-bot/");
        request.Headers.Add(RollgateHeaders.RequestId, new string('x', 129));
        var response = await _gateway.Proxy.SendAsync(request);
        var echo = await TestBackend.Echo.ReadAsync(response);
        var second = (await _gateway.Proxy.GetAsync("/agents/long-id-bot/")).Headers.GetValues(RollgateHeaders.RequestId).Single();

        var id = response.Headers.GetValues(RollgateHeaders.RequestId).Single();
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal(id, echo.Headers[RollgateHeaders.RequestId]);
        Assert.NotEqual(id, second);
    }

    [Fact]
    public async Task Custom_path_prefix_replaces_the_default_route()
    {
        await _gateway.ReleaseAsync("prefixed-bot", _backend.Url, new { pathPrefix = "/support" });

        var viaPrefix = await _gateway.Proxy.GetAsync("/support/ask");
        var viaDefault = await _gateway.Proxy.GetAsync("/agents/prefixed-bot/ask");

        Assert.Equal(HttpStatusCode.OK, viaPrefix.StatusCode);
        Assert.Equal("/ask", (await TestBackend.Echo.ReadAsync(viaPrefix)).Path);
        Assert.Equal(HttpStatusCode.NotFound, viaDefault.StatusCode);
    }

    [Fact]
    public async Task Host_names_route_every_path_on_that_host()
    {
        await _gateway.ReleaseAsync("hosted-bot", _backend.Url, new { hosts = new[] { "bot.example.test" } });

        var request = new HttpRequestMessage(HttpMethod.Get, "/any/path");
        request.Headers.Host = "bot.example.test";
        var response = await _gateway.Proxy.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/any/path", (await TestBackend.Echo.ReadAsync(response)).Path);
    }

    [Fact]
    public async Task Unknown_agent_is_404_problem()
    {
        var response = await _gateway.Proxy.GetAsync("/agents/no-such-bot/x");

        await AssertProblemAsync(response, HttpStatusCode.NotFound, "unknown-agent");
    }

    [Fact]
    public async Task Agent_without_a_deployed_version_is_503_problem()
    {
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("empty-bot"));

        await Eventually.TrueAsync(async () => (await _gateway.Proxy.GetAsync("/agents/empty-bot/x")).StatusCode != HttpStatusCode.NotFound, "the agent is routed");
        var response = await _gateway.Proxy.GetAsync("/agents/empty-bot/x");

        await AssertProblemAsync(response, HttpStatusCode.ServiceUnavailable, "no-deployed-version");
    }

    [Fact]
    public async Task Unreachable_backend_is_502_problem_and_counted_as_an_error()
    {
        await _gateway.ReleaseAsync("down-bot", $"http://127.0.0.1:{FreePort.Get()}");

        var response = await _gateway.Proxy.GetAsync("/agents/down-bot/x");

        await AssertProblemAsync(response, HttpStatusCode.BadGateway, "backend-unreachable");
        Assert.Equal("1", response.Headers.GetValues(RollgateHeaders.Version).Single());
        Assert.Equal("Version 1 of 'down-bot': the backend could not be reached or closed the connection before answering.",
            JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
        var metrics = await _gateway.Admin.GetStringAsync("/metrics");
        Assert.Contains("rollgate_requests_total{agent=\"down-bot\",version=\"1\",role=\"stable\",outcome=\"error\"} 1", metrics);
    }

    [Fact]
    public async Task Silent_backend_is_504_problem()
    {
        var release = new TaskCompletionSource();
        await using var hanging = await TestBackend.StartAsync("hanging", async context =>
        {
            await release.Task.WaitAsync(context.RequestAborted);
        });
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("slow-bot"));
        var version = await _gateway.CreateVersionAsync("slow-bot", hanging.Url, extra: new { backend = new { destinations = new[] { hanging.Url }, timeout = "300ms" } });
        await _gateway.DeployAsync("slow-bot", version);

        var response = await _gateway.Proxy.GetAsync("/agents/slow-bot/x");
        release.TrySetResult();

        await AssertProblemAsync(response, HttpStatusCode.GatewayTimeout, "backend-timeout");
        Assert.EndsWith("the backend did not answer within the backend timeout.", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Server_sent_events_reach_the_client_before_the_backend_finishes()
    {
        var finish = new TaskCompletionSource();
        await using var streaming = await TestBackend.StartAsync("sse", async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: {\"delta\":\"first\"}\n\n");
            await context.Response.Body.FlushAsync();
            await finish.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await context.Response.WriteAsync("data: [DONE]\n\n");
        });
        await _gateway.ReleaseAsync("stream-bot", streaming.Url);

        using var response = await _gateway.Proxy.GetAsync("/agents/stream-bot/stream", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(body);
        var firstLine = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(finish.Task.IsCompleted, "the backend is still holding the stream open");
        Assert.Equal("data: {\"delta\":\"first\"}", firstLine);
        finish.SetResult();
        var rest = await reader.ReadToEndAsync();
        Assert.Contains("data: [DONE]", rest);
    }

    [Fact]
    public async Task Admin_api_is_not_reachable_on_the_proxy_listener_and_agents_not_on_the_admin_listener()
    {
        await _gateway.ReleaseAsync("split-bot", _backend.Url);
        using var proxyAsAdmin = new HttpClient { BaseAddress = new Uri(_gateway.ProxyUrl) };
        proxyAsAdmin.DefaultRequestHeaders.Authorization = new("Bearer", GatewayInstance.OperatorToken);

        await AssertProblemAsync(await proxyAsAdmin.GetAsync("/admin/agents"), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await proxyAsAdmin.GetAsync("/metrics"), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await proxyAsAdmin.GetAsync("/healthz"), HttpStatusCode.NotFound, "not-found");
        await AssertProblemAsync(await _gateway.Admin.GetAsync("/agents/split-bot/x"), HttpStatusCode.NotFound, "unknown-agent");
        await AssertProblemAsync(await _gateway.Admin.GetAsync("/no-such-admin-path"), HttpStatusCode.NotFound, "not-found");
        Assert.Equal(HttpStatusCode.OK, (await _gateway.Proxy.GetAsync("/agents/split-bot/x")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _gateway.Admin.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task A_version_with_several_destinations_spreads_requests_over_all_of_them()
    {
        await using var second = await TestBackend.StartAsync("v1-backend-b");
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("spread-bot"));
        var version = await _gateway.CreateVersionAsync("spread-bot", _backend.Url,
            extra: new { backend = new { destinations = new[] { _backend.Url, second.Url } } });
        await _gateway.DeployAsync("spread-bot", version);

        var served = new Dictionary<string, int>();
        for (var i = 0; i < 40; i++)
        {
            var echo = await TestBackend.Echo.ReadAsync(await _gateway.Proxy.GetAsync("/agents/spread-bot/x"));
            served[echo.Backend] = served.GetValueOrDefault(echo.Backend) + 1;
        }

        Assert.Equal(["v1-backend", "v1-backend-b"], served.Keys.Order());
        Assert.All(served.Values, count => Assert.InRange(count, 5, 35));
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string typeSuffix)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.EndsWith(typeSuffix, problem["type"]!.GetValue<string>());
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(problem["title"]?.GetValue<string>()));
        Assert.False(string.IsNullOrEmpty(problem["detail"]?.GetValue<string>()));
    }
}
