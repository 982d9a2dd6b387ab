using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rollgate.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Rollgate.Tests.Tools;

/// <summary>
/// An agent whose definition names a tool in <c>degradation</c>, on the real gateway: the tool (WireMock) fails, its
/// circuit opens, the agent's traffic goes to the fallback version, and returns once the tool has recovered.
/// </summary>
public sealed class DegradationTests : IAsyncLifetime
{
    private const string Agent = "refund-bot";
    private readonly WireMockServer _tool = WireMockServer.Start();
    private readonly WireMockServer _hooks = WireMockServer.Start();
    private GatewayInstance _gateway = null!;
    private TestBackend _v1 = null!;
    private TestBackend _v2 = null!;
    private TestBackend _v3 = null!;

    public async Task InitializeAsync()
    {
        _hooks.Given(Request.Create().UsingPost()).RespondWith(Response.Create().WithStatusCode(200));
        _gateway = await GatewayInstance.StartAsync();
        _v1 = await TestBackend.StartAsync("v1");
        _v2 = await TestBackend.StartAsync("v2");
        _v3 = await TestBackend.StartAsync("v3");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _v1.DisposeAsync();
        await _v2.DisposeAsync();
        await _v3.DisposeAsync();
        _tool.Stop();
        _hooks.Stop();
    }

    /// <summary>v1 is the fallback; v2 is stable. The tool's circuit opens after two failures and breaks for 500 ms.</summary>
    private async Task ReleaseAsync()
    {
        ToolAnswers(500);
        await _gateway.PutToolAsync("refund", _tool.Url!, new { failureRatio = 0.5, minimumThroughput = 2, samplingDuration = "10s", breakDuration = "500ms" });
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync(Agent, new
        {
            degradation = new[] { new { tool = "refund", routeTo = 1 } },
            webhooks = new[] { _hooks.Url + "/hook" },
            rollout = new { steps = new[] { 50, 100 }, stepDuration = "1h" },
        }));
        await _gateway.CreateVersionAsync(Agent, _v1.Url, "no refunds");
        await _gateway.CreateVersionAsync(Agent, _v2.Url, "refunds");
        await _gateway.CreateVersionAsync(Agent, _v3.Url, "refunds, kinder");
        await _gateway.DeployAsync(Agent, 2);
    }

    private void ToolAnswers(int status)
    {
        _tool.Reset();
        _tool.Given(Request.Create()).RespondWith(Response.Create().WithStatusCode(status));
    }

    private async Task BreakToolAsync()
    {
        for (var i = 0; i < 2; i++)
        {
            await _gateway.Proxy.PostAsync("/tools/refund/refunds", new StringContent("{}"));
        }
    }

    private async Task<string> ServedByAsync(string session)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/agents/{Agent}/");
        request.Headers.Add("X-Session-Id", session);
        var response = await _gateway.Proxy.SendAsync(request);
        return (await TestBackend.Echo.ReadAsync(response)).Backend;
    }

    private async Task<JsonArray> HistoryAsync() => (await _gateway.Admin.GetFromJsonAsync<JsonObject>($"/admin/agents/{Agent}/history"))!["events"]!.AsArray();

    [Fact]
    public async Task A_failing_tool_moves_all_traffic_to_the_fallback_version_and_it_returns_once_the_tool_has_recovered()
    {
        await ReleaseAsync();
        await BreakToolAsync();

        await Eventually.TrueAsync(async () => (await _gateway.GetAgentAsync(Agent))["status"]!.GetValue<string>() == "degraded", "the agent is degraded");
        await Eventually.TrueAsync(async () => await ServedByAsync("s-first") == "v1", "the fallback serves");
        var agent = await _gateway.GetAgentAsync(Agent);
        Assert.Equal("refund", agent["degradation"]!["tool"]!.GetValue<string>());
        Assert.Equal(1, agent["degradation"]!["routeTo"]!.GetValue<int>());
        Assert.Equal(2, agent["degradation"]!["returnsTo"]!.GetValue<int>());
        Assert.Equal(2, agent["stable"]!.GetValue<int>());
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal("v1", await ServedByAsync($"s{i}"));
        }

        var degrade = (await HistoryAsync()).First(e => e!["type"]!.GetValue<string>() == "degrade")!;
        Assert.Equal("circuit: refund", degrade["actor"]!.GetValue<string>());
        Assert.Equal((2, 1), (degrade["from"]!.GetValue<int>(), degrade["to"]!.GetValue<int>()));
        Assert.Equal(2, degrade["evidence"]!["failures"]!.GetValue<long>());
        Assert.Equal(2, degrade["evidence"]!["calls"]!.GetValue<long>());
        Assert.Equal(1.0, degrade["evidence"]!["ratio"]!.GetValue<double>());
        Assert.Equal(1, await _gateway.MetricAsync($"rollgate_rollbacks_total{{agent=\"{Agent}\",trigger=\"circuit\"}}"));
        await Eventually.TrueAsync(() => _hooks.LogEntries.Any(e => e.RequestMessage.Body!.Contains("\"type\":\"degrade\"") && e.RequestMessage.Body.Contains("\"tool\":\"refund\"")),
            "the webhook is told of the degradation");

        ToolAnswers(200); // the gateway's probe closes the circuit; after a break duration closed everywhere the agent returns
        await Eventually.TrueAsync(async () => (await _gateway.GetAgentAsync(Agent))["status"]!.GetValue<string>() == "stable", "the agent is restored");
        await Eventually.TrueAsync(async () => await ServedByAsync("s0") == "v2", "the stable serves again");
        var restore = (await HistoryAsync()).First()!;
        Assert.Equal(("restore", 1, 2), (restore["type"]!.GetValue<string>(), restore["from"]!.GetValue<int>(), restore["to"]!.GetValue<int>()));
        Assert.Equal("closed", restore["evidence"]!["state"]!.GetValue<string>());
        Assert.Equal(2, await _gateway.MetricAsync($"rollgate_rollbacks_total{{agent=\"{Agent}\",trigger=\"circuit\"}}"));
    }

    [Fact]
    public async Task A_canary_in_progress_is_paused_during_the_degradation_and_is_still_there_after_it()
    {
        await ReleaseAsync();
        await _gateway.DeployAsync(Agent, 3, "canary");
        await BreakToolAsync();

        await Eventually.TrueAsync(async () => (await _gateway.GetAgentAsync(Agent))["status"]!.GetValue<string>() == "degraded", "the agent is degraded");
        await Eventually.TrueAsync(async () => await ServedByAsync("s-first") == "v1", "the fallback serves");
        var served = new HashSet<string>();
        for (var i = 0; i < 20; i++)
        {
            served.Add(await ServedByAsync($"s{i}"));
        }

        Assert.Equal(["v1"], served); // neither the stable nor the canary while degraded
        var promote = await _gateway.Admin.PostAsync($"/admin/agents/{Agent}/promote", GatewayInstance.Json(new { }));
        Assert.Equal(System.Net.HttpStatusCode.Conflict, promote.StatusCode);

        ToolAnswers(200);
        await Eventually.TrueAsync(async () => (await _gateway.GetAgentAsync(Agent))["status"]!.GetValue<string>() == "paused", "the agent is back, its canary paused");
        var agent = await _gateway.GetAgentAsync(Agent);
        Assert.Equal((2, 3, 50.0), (agent["stable"]!.GetValue<int>(), agent["canary"]!.GetValue<int>(), agent["canaryPercent"]!.GetValue<double>()));
    }

    [Fact]
    public async Task An_operator_deploy_during_the_degradation_wins_and_the_later_recovery_does_not_undo_it()
    {
        await ReleaseAsync();
        await BreakToolAsync();
        await Eventually.TrueAsync(async () => (await _gateway.GetAgentAsync(Agent))["status"]!.GetValue<string>() == "degraded", "the agent is degraded");

        await _gateway.DeployAsync(Agent, 3);
        Assert.Equal("stable", (await _gateway.GetAgentAsync(Agent))["status"]!.GetValue<string>());
        Assert.Equal("v3", await ServedByAsync("s0"));

        // The same outage goes on (the probe keeps failing), then ends: neither degrades nor restores again.
        await Eventually.TrueAsync(async () => (await _gateway.Admin.GetFromJsonAsync<JsonObject>("/admin/tools/refund"))!["replicas"]!.AsArray()
            .Any(r => r!["state"]!.GetValue<string>() == "open" && DateTimeOffset.Parse(r["since"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddMilliseconds(-400)),
            "the circuit reopened after a failed probe");
        ToolAnswers(200);
        await Eventually.TrueAsync(async () => (await _gateway.Admin.GetFromJsonAsync<JsonObject>("/admin/tools/refund"))!["state"]!.GetValue<string>() == "closed",
            "the tool recovered");
        await Eventually.TrueAsync(async () => (await _gateway.MetricAsync("rollgate_tool_circuit_state{tool=\"refund\"}")) == 0, "the gauge follows");

        var types = (await HistoryAsync()).Select(e => e!["type"]!.GetValue<string>()).ToArray();
        Assert.Equal(["deploy", "degrade", "deploy"], types.Take(3));
        Assert.Equal("v3", await ServedByAsync("s0"));
    }
}
