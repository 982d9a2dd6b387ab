using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rollgate.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Rollgate.Tests.Tools;

/// <summary>
/// Two real replicas on a real Redis: a tool's circuit opens on one replica, and the agent's traffic through the
/// other moves to the fallback version and back; a replica that dies with an open circuit does not hold the agent.
/// </summary>
public sealed class FleetDegradationTests : IAsyncLifetime
{
    private const string Agent = "fleet-refund-bot";
    private readonly RedisServer _redis = new();
    private readonly WireMockServer _tool = WireMockServer.Start();
    private TestBackend _v1 = null!;
    private TestBackend _v2 = null!;
    private GatewayInstance? _a;
    private GatewayInstance _b = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _v1 = await TestBackend.StartAsync("v1");
        _v2 = await TestBackend.StartAsync("v2");
        _a = await StartReplicaAsync("replica-a");
        _b = await StartReplicaAsync("replica-b");
    }

    public async Task DisposeAsync()
    {
        if (_a is not null)
        {
            await _a.DisposeAsync();
        }

        await _b.DisposeAsync();
        await _v1.DisposeAsync();
        await _v2.DisposeAsync();
        _tool.Stop();
        await _redis.DisposeAsync();
    }

    private Task<GatewayInstance> StartReplicaAsync(string id) => GatewayInstance.StartAsync(settings: new Dictionary<string, string>
    {
        ["Rollgate:Store"] = "redis",
        ["Rollgate:Redis"] = _redis.ConnectionString,
        ["Rollgate:ReplicaId"] = id,
    });

    private void ToolAnswers(int status)
    {
        _tool.Reset();
        _tool.Given(Request.Create()).RespondWith(Response.Create().WithStatusCode(status));
    }

    private async Task ReleaseAsync(string breakDuration)
    {
        ToolAnswers(500);
        await _a!.PutToolAsync("refund", _tool.Url!, new { failureRatio = 0.5, minimumThroughput = 2, samplingDuration = "10s", breakDuration });
        await GatewayInstance.EnsureAsync(await _a!.PutAgentAsync(Agent, new { degradation = new[] { new { tool = "refund", routeTo = 1 } } }));
        await _a!.CreateVersionAsync(Agent, _v1.Url, "no refunds");
        await _a.CreateVersionAsync(Agent, _v2.Url, "refunds");
        await _a!.DeployAsync(Agent, 2);
        await Eventually.TrueAsync(async () => await ServedByAsync(_b) == "v2", "replica B serves the stable");
        await Eventually.TrueAsync(async () => (await _b.Proxy.GetAsync("/tools/refund/x")).StatusCode != System.Net.HttpStatusCode.NotFound, "replica B knows the tool");
    }

    /// <summary>The backend that answered, or the status when none did (a replica that has not loaded the agent yet).</summary>
    private static async Task<string> ServedByAsync(GatewayInstance replica)
    {
        var response = await replica.Proxy.GetAsync($"/agents/{Agent}/");
        return response.IsSuccessStatusCode ? (await TestBackend.Echo.ReadAsync(response)).Backend : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task A_circuit_opened_on_one_replica_moves_the_agents_traffic_on_every_replica_and_back()
    {
        await ReleaseAsync(breakDuration: "500ms");
        for (var i = 0; i < 2; i++)
        {
            await _a!.Proxy.PostAsync("/tools/refund/refunds", new StringContent("{}"));
        }

        await Eventually.TrueAsync(async () => await ServedByAsync(_b) == "v1", "replica B routes to the fallback");
        Assert.Equal("v1", await ServedByAsync(_a!));
        // Per replica: open (or probing) where the failures were, closed where there were none; combined, not closed.
        await Eventually.TrueAsync(async () =>
        {
            var tool = (await _b.Admin.GetFromJsonAsync<JsonObject>("/admin/tools/refund"))!;
            var states = tool["replicas"]!.AsArray().ToDictionary(r => r!["replica"]!.GetValue<string>(), r => r!["state"]!.GetValue<string>());
            return tool["state"]!.GetValue<string>() != "closed" && states.GetValueOrDefault("replica-a") is "open" or "half_open"
                   && states.GetValueOrDefault("replica-b") == "closed";
        }, "GET /admin/tools shows each replica's circuit");

        ToolAnswers(200);
        await Eventually.TrueAsync(async () => await ServedByAsync(_b) == "v2", "replica B routes to the stable again");
        await Eventually.TrueAsync(async () => await ServedByAsync(_a!) == "v2", "replica A routes to the stable again");
    }

    [Fact]
    public async Task A_replica_that_dies_with_its_circuit_open_does_not_keep_the_agent_degraded()
    {
        await ReleaseAsync(breakDuration: "2s"); // the tool keeps failing, so replica A's probes keep its circuit open
        for (var i = 0; i < 2; i++)
        {
            await _a!.Proxy.PostAsync("/tools/refund/refunds", new StringContent("{}"));
        }

        await Eventually.TrueAsync(async () => await ServedByAsync(_b) == "v1", "replica B routes to the fallback");
        await _a!.DisposeAsync();
        _a = null;

        // A's report expires; B has been closed for longer than the break duration, so the agent returns.
        await Eventually.TrueAsync(async () => await ServedByAsync(_b) == "v2", "replica B routes to the stable again", TimeSpan.FromSeconds(20));
        var replicas = (await _b.Admin.GetFromJsonAsync<JsonObject>("/admin/tools/refund"))!["replicas"]!.AsArray();
        Assert.Equal(["replica-b"], replicas.Select(r => r!["replica"]!.GetValue<string>()));
    }

    [Fact]
    public async Task With_Redis_down_every_breaker_keeps_working_and_the_degradation_follows_once_Redis_is_back()
    {
        await ReleaseAsync(breakDuration: "1h");
        await _redis.StopAsync();

        for (var i = 0; i < 2; i++)
        {
            await _b.Proxy.PostAsync("/tools/refund/refunds", new StringContent("{}"));
        }

        var calls = _tool.LogEntries.Count();
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await _b.Proxy.PostAsync("/tools/refund/refunds", new StringContent("{}"))).StatusCode);
        Assert.Equal(calls, _tool.LogEntries.Count()); // refused by replica B's own breaker, without the store
        Assert.Equal("v2", await ServedByAsync(_a!)); // no degradation decided while the store is away

        await _redis.StartAsync();
        await Eventually.TrueAsync(async () => await ServedByAsync(_a!) == "v1" && await ServedByAsync(_b) == "v1",
            "both replicas route to the fallback once Redis is back", TimeSpan.FromSeconds(20));
    }
}
