using System.Text.Json.Nodes;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Drills;

/// <summary>Drills on one and on two real gateway replicas sharing a real Redis.</summary>
public sealed class DrillFleetTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private TestBackend _v1 = null!;
    private TestBackend _v2 = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _v1 = await TestBackend.StartAsync("v1");
        _v2 = await TestBackend.StartAsync("v2");
    }

    public async Task DisposeAsync()
    {
        await _v1.DisposeAsync();
        await _v2.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task On_one_replica_a_drill_passes_with_that_replica_acknowledging_both_changes()
    {
        await using var only = await StartReplicaAsync("only");
        await ReleaseTwoVersionsAsync(only, "solo-bot");

        var drill = await DrillAsync(only, "solo-bot");

        Assert.Equal(("passed", 2, 1), (drill["result"]!.GetValue<string>(), drill["from"]!.GetValue<int>(), drill["to"]!.GetValue<int>()));
        Assert.Equal((1, 1), (drill["replicas"]!["acked"]!.GetValue<int>(), drill["replicas"]!["total"]!.GetValue<int>()));
        Assert.Equal("v2", await BackendServingAsync(only, "solo-bot"));
    }

    [Fact]
    public async Task On_two_replicas_a_drill_through_one_is_acknowledged_by_both_and_leaves_both_on_the_stable()
    {
        await using var a = await StartReplicaAsync("replica-a");
        await using var b = await StartReplicaAsync("replica-b");
        await ReleaseTwoVersionsAsync(a, "pair-bot");
        await Eventually.TrueAsync(async () => await BackendServingAsync(b, "pair-bot") == "v2", "replica B routes to v2");

        var drill = await DrillAsync(b, "pair-bot");

        Assert.Equal("passed", drill["result"]!.GetValue<string>());
        Assert.Equal((2, 2), (drill["replicas"]!["acked"]!.GetValue<int>(), drill["replicas"]!["total"]!.GetValue<int>()));
        Assert.Equal("v2", await BackendServingAsync(a, "pair-bot"));
        Assert.Equal("v2", await BackendServingAsync(b, "pair-bot"));
        var fromA = await a.GetAgentAsync("pair-bot");
        Assert.Equal(("stable", "passed"), (fromA["status"]!.GetValue<string>(), fromA["drill"]!["lastResult"]!.GetValue<string>()));
        Assert.Contains("rollgate_drill_last_success_timestamp_seconds{agent=\"pair-bot\"}", await a.Admin.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task On_two_replicas_the_controller_runs_a_scheduled_drill_once_it_is_due()
    {
        await using var a = await StartReplicaAsync("replica-a");
        await using var b = await StartReplicaAsync("replica-b");
        await ReleaseTwoVersionsAsync(a, "cron-bot", new { drill = new { every = "2s" } });

        await Eventually.TrueAsync(async () => (await b.GetAgentAsync("cron-bot"))["drill"]?["lastResult"]?.GetValue<string>() == "passed",
            "the controller ran the scheduled drill");

        var events = JsonNode.Parse(await b.Admin.GetStringAsync("/admin/agents/cron-bot/history?limit=3"))!["events"]!.AsArray();
        Assert.Equal(["drill", "restore", "rollback"], events.Select(e => e!["type"]!.GetValue<string>()));
        Assert.All(events, e => Assert.Equal("schedule", e!["actor"]!.GetValue<string>()));
        Assert.Equal(2, events[0]!["drill"]!["replicas"]!["total"]!.GetValue<int>());
    }

    private Task<GatewayInstance> StartReplicaAsync(string id) => GatewayInstance.StartAsync(settings: new Dictionary<string, string>
    {
        ["Rollgate:Store"] = "redis",
        ["Rollgate:Redis"] = _redis.ConnectionString,
        ["Rollgate:ReplicaId"] = id,
    });

    private async Task ReleaseTwoVersionsAsync(GatewayInstance gateway, string agent, object? definition = null)
    {
        await GatewayInstance.EnsureAsync(await gateway.PutAgentAsync(agent, definition));
        var v1 = await gateway.CreateVersionAsync(agent, _v1.Url, "one");
        var v2 = await gateway.CreateVersionAsync(agent, _v2.Url, "two");
        await gateway.DeployAsync(agent, v1);
        await gateway.DeployAsync(agent, v2);
    }

    private static async Task<JsonNode> DrillAsync(GatewayInstance gateway, string agent)
    {
        var response = await gateway.Admin.PostAsync($"/admin/agents/{agent}/drill", null);
        await GatewayInstance.EnsureAsync(response);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>The backend that answered; the status instead while the replica does not route the agent yet (polled with <see cref="Eventually"/>).</summary>
    private static async Task<string> BackendServingAsync(GatewayInstance gateway, string agent)
    {
        var response = await gateway.Proxy.GetAsync($"/agents/{agent}/x");
        return response.IsSuccessStatusCode ? (await TestBackend.Echo.ReadAsync(response)).Backend : $"status {(int)response.StatusCode}";
    }
}
