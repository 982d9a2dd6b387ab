using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Rollgate.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Rollgate.Tests.Tools;

/// <summary><c>/tools/{tool}/…</c> through the real gateway to WireMock tools that answer, fail, hang and recover.</summary>
public sealed class ToolDataPathTests : IAsyncLifetime
{
    private readonly WireMockServer _tool = WireMockServer.Start();
    private GatewayInstance _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayInstance.StartAsync();

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _tool.Stop();
    }

    private static object Breaker(string breakDuration = "30s") => new { failureRatio = 0.5, minimumThroughput = 4, samplingDuration = "30s", breakDuration };

    [Fact]
    public async Task A_call_goes_to_the_endpoint_with_its_method_rest_of_path_query_headers_and_body_and_comes_back_as_answered()
    {
        _tool.Given(Request.Create().WithPath("/api/refunds/42").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("X-Tool", "refunds").WithBody("{\"refunded\":true}"));
        await _gateway.PutToolAsync("refunds", _tool.Url! + "/api");

        var request = new HttpRequestMessage(HttpMethod.Post, "/tools/refunds/refunds/42?amount=10") { Content = new StringContent("{\"order\":7}", Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Caller", "support-bot");
        var response = await _gateway.Proxy.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("{\"refunded\":true}", await response.Content.ReadAsStringAsync());
        Assert.Equal("refunds", response.Headers.GetValues("X-Tool").Single());
        Assert.False(string.IsNullOrEmpty(response.Headers.GetValues("X-Request-Id").Single()));
        var received = Assert.Single(_tool.LogEntries).RequestMessage;
        Assert.Equal("/api/refunds/42", received.Path);
        Assert.Equal("10", received.Query!["amount"].Single());
        Assert.Equal("{\"order\":7}", received.Body);
        Assert.Equal("support-bot", received.Headers!["X-Caller"].Single());
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(),
            received.Headers!.Single(h => h.Key.Equals("X-Request-Id", StringComparison.OrdinalIgnoreCase)).Value.Single());
        Assert.Equal(1, await _gateway.MetricAsync("rollgate_tool_requests_total{tool=\"refunds\",outcome=\"success\",agent=\"\",version=\"\"}"));
        Assert.Equal(1, await _gateway.MetricAsync("rollgate_tool_request_duration_seconds_count{tool=\"refunds\"}"));
    }

    [Fact]
    public async Task An_unknown_tool_is_a_404_problem_naming_it()
    {
        var response = await _gateway.Proxy.GetAsync("/tools/nope/x");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.EndsWith("unknown-tool", problem["type"]!.GetValue<string>());
        Assert.Contains("'nope'", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Failures_open_the_circuit_and_then_calls_are_answered_503_at_once_without_reaching_the_tool_while_4xx_never_count()
    {
        _tool.Given(Request.Create().WithPath("/missing")).RespondWith(Response.Create().WithStatusCode(404));
        _tool.Given(Request.Create().WithPath("/broken")).RespondWith(Response.Create().WithStatusCode(500).WithBody("tool crashed"));
        await _gateway.PutToolAsync("search", _tool.Url!, Breaker());

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await _gateway.Proxy.GetAsync("/tools/search/missing")).StatusCode);
        }

        Assert.Equal("closed", await StateAsync("search"));
        // With ten answers in the window, the tenth 500 brings failures to one half: the circuit opens.
        for (var i = 0; i < 10; i++)
        {
            var failed = await _gateway.Proxy.GetAsync("/tools/search/broken");
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
            Assert.Equal("tool crashed", await failed.Content.ReadAsStringAsync()); // the tool's own answer passes through
        }

        Assert.Equal("open", await StateAsync("search"));
        var calls = _tool.LogEntries.Count();
        var rejected = await _gateway.Proxy.GetAsync("/tools/search/missing");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
        Assert.Equal(calls, _tool.LogEntries.Count());
        var problem = (await rejected.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.EndsWith("tool-unavailable", problem["type"]!.GetValue<string>());
        Assert.Equal("search", problem["tool"]!.GetValue<string>());
        var retryAfter = problem["retryAfterSeconds"]!.GetValue<int>();
        Assert.InRange(retryAfter, 1, 30);
        Assert.Equal(retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture), rejected.Headers.GetValues("Retry-After").Single());
        Assert.Equal(2, await _gateway.MetricAsync("rollgate_tool_circuit_state{tool=\"search\"}"));
        Assert.Equal(1, await _gateway.MetricAsync("rollgate_tool_requests_total{tool=\"search\",outcome=\"rejected\",agent=\"\",version=\"\"}"));

        var tool = (await _gateway.Admin.GetFromJsonAsync<JsonObject>("/admin/tools/search"))!;
        var replica = Assert.Single(tool["replicas"]!.AsArray())!;
        Assert.Equal("open", replica["state"]!.GetValue<string>());
        Assert.True(replica["failures"]!.GetValue<long>() * 2 >= replica["calls"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_tool_that_refuses_connections_is_a_502_problem_and_opens_the_circuit_like_5xx()
    {
        await _gateway.PutToolAsync("ledger", $"http://127.0.0.1:{FreePort.Get()}", Breaker());

        for (var i = 0; i < 4; i++)
        {
            var response = await _gateway.Proxy.PostAsync("/tools/ledger/entries", new StringContent("{}"));
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.EndsWith("tool-unreachable", (await response.Content.ReadFromJsonAsync<JsonObject>())!["type"]!.GetValue<string>());
        }

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _gateway.Proxy.PostAsync("/tools/ledger/entries", new StringContent("{}"))).StatusCode);
        Assert.Equal(4, await _gateway.MetricAsync("rollgate_tool_requests_total{tool=\"ledger\",outcome=\"error\",agent=\"\",version=\"\"}"));
    }

    [Fact]
    public async Task A_call_longer_than_the_timeout_is_a_504_problem_and_a_failure()
    {
        _tool.Given(Request.Create().WithPath("/slow")).RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(3)));
        await _gateway.PutToolAsync("crm", _tool.Url!, Breaker(), timeout: "200ms");

        var response = await _gateway.Proxy.GetAsync("/tools/crm/slow");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.EndsWith("tool-timeout", (await response.Content.ReadFromJsonAsync<JsonObject>())!["type"]!.GetValue<string>());
        Assert.Equal(1, await _gateway.MetricAsync("rollgate_tool_requests_total{tool=\"crm\",outcome=\"error\",agent=\"\",version=\"\"}"));
    }

    [Fact]
    public async Task Callers_that_give_up_are_canceled_and_never_open_the_circuit()
    {
        _tool.Given(Request.Create().WithPath("/slow")).RespondWith(Response.Create().WithStatusCode(200).WithDelay(TimeSpan.FromSeconds(5)));
        await _gateway.PutToolAsync("crm-slow", _tool.Url!, Breaker());
        using var impatient = new HttpClient { BaseAddress = _gateway.Proxy.BaseAddress, Timeout = TimeSpan.FromMilliseconds(150) };

        for (var i = 0; i < 6; i++)
        {
            await Assert.ThrowsAnyAsync<TaskCanceledException>(() => impatient.GetAsync("/tools/crm-slow/slow"));
        }

        await Eventually.TrueAsync(async () => await _gateway.MetricAsync("rollgate_tool_requests_total{tool=\"crm-slow\",outcome=\"canceled\",agent=\"\",version=\"\"}") == 6,
            "the six calls are counted as canceled");
        Assert.Equal("closed", await StateAsync("crm-slow"));
        Assert.Equal(0, await _gateway.MetricAsync("rollgate_tool_requests_total{tool=\"crm-slow\",outcome=\"error\",agent=\"\",version=\"\"}"));
    }

    [Fact]
    public async Task An_open_circuit_closes_again_by_itself_once_the_gateway_probes_the_recovered_tool()
    {
        _tool.Given(Request.Create().WithPath("/")).RespondWith(Response.Create().WithStatusCode(503));
        await _gateway.PutToolAsync("lookup", _tool.Url!, Breaker(breakDuration: "500ms"));
        for (var i = 0; i < 4; i++)
        {
            await _gateway.Proxy.GetAsync("/tools/lookup/");
        }

        Assert.Equal("open", await StateAsync("lookup"));
        _tool.Reset();
        _tool.Given(Request.Create().WithPath("/")).RespondWith(Response.Create().WithStatusCode(200));

        await Eventually.TrueAsync(async () => await StateAsync("lookup") == "closed", "the probe closes the circuit");
        Assert.Equal(HttpStatusCode.OK, (await _gateway.Proxy.GetAsync("/tools/lookup/")).StatusCode);
    }

    [Fact]
    public async Task Calls_carrying_a_known_agent_version_are_counted_for_it_and_feed_its_tool_error_rate()
    {
        _tool.Given(Request.Create().WithPath("/ok")).RespondWith(Response.Create().WithStatusCode(200));
        _tool.Given(Request.Create().WithPath("/fail")).RespondWith(Response.Create().WithStatusCode(502));
        await using var agent = await TestBackend.StartAsync("agent");
        var version = await _gateway.ReleaseAsync("tool-bot", agent.Url);
        await _gateway.PutToolAsync("refund", _tool.Url!, new { minimumThroughput = 100 });

        foreach (var (path, agentName, versionText) in new[]
                 {
                     ("/ok", "tool-bot", $"{version}"), ("/fail", "tool-bot", $"{version}"), ("/ok", "tool-bot", $"{version}"), ("/ok", "tool-bot", $"{version}"),
                     ("/ok", "tool-bot", "99"), ("/ok", "ghost-bot", "1"),
                 })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/tools/refund" + path);
            request.Headers.Add("X-Rollgate-Agent", agentName);
            request.Headers.Add("X-Rollgate-Version", versionText);
            await _gateway.Proxy.SendAsync(request);
        }

        Assert.Equal(3, await _gateway.MetricAsync($"rollgate_tool_requests_total{{tool=\"refund\",outcome=\"success\",agent=\"tool-bot\",version=\"{version}\"}}"));
        Assert.Equal(1, await _gateway.MetricAsync($"rollgate_tool_requests_total{{tool=\"refund\",outcome=\"error\",agent=\"tool-bot\",version=\"{version}\"}}"));
        Assert.Equal(2, await _gateway.MetricAsync("rollgate_tool_requests_total{tool=\"refund\",outcome=\"success\",agent=\"\",version=\"\"}"));
        Assert.DoesNotContain("ghost-bot", await _gateway.Admin.GetStringAsync("/metrics"));
        await Eventually.TrueAsync(async () =>
        {
            var figures = (await _gateway.Admin.GetFromJsonAsync<JsonObject>("/admin/agents/tool-bot/metrics?window=60s"))!["versions"]!.AsArray();
            var mine = figures.SingleOrDefault(v => v!["version"]!.GetValue<int>() == version);
            return mine is not null && mine["toolCalls"]!.GetValue<long>() == 4 && mine["toolErrorRate"]!.GetValue<double>() == 0.25;
        }, "the version's figures hold its four tool calls, one failed");
    }

    private async Task<string> StateAsync(string tool)
        => (await _gateway.Admin.GetFromJsonAsync<JsonObject>($"/admin/tools/{tool}"))!["state"]!.GetValue<string>();
}
