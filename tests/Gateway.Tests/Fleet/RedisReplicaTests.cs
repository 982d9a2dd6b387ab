using System.Net;
using System.Text.Json.Nodes;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Fleet;

/// <summary>Two real gateway replicas on one real Redis (spec §7).</summary>
public sealed class RedisReplicaTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private TestBackend _v1 = null!;
    private TestBackend _v2 = null!;
    private GatewayInstance _a = null!;
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
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _v1.DisposeAsync();
        await _v2.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private Task<GatewayInstance> StartReplicaAsync(string id) => GatewayInstance.StartAsync(settings: new Dictionary<string, string>
    {
        ["Rollgate:Store"] = "redis",
        ["Rollgate:Redis"] = _redis.ConnectionString,
        ["Rollgate:ReplicaId"] = id,
    });

    /// <summary>Registers fleet-bot with v1 (stable) and v2 through replica A.</summary>
    private async Task<(int V1, int V2)> ReleaseTwoVersionsAsync()
    {
        await GatewayInstance.EnsureAsync(await _a.PutAgentAsync("fleet-bot"));
        var v1 = await _a.CreateVersionAsync("fleet-bot", _v1.Url, "one");
        var v2 = await _a.CreateVersionAsync("fleet-bot", _v2.Url, "two");
        await _a.DeployAsync("fleet-bot", v1);
        await _a.DeployAsync("fleet-bot", v2);
        await Eventually.TrueAsync(async () => await VersionServedByAsync(_b) == v2, "replica B routes to v2");
        return (v1, v2);
    }

    [Fact]
    public async Task A_rollback_through_one_replica_is_applied_by_both_and_acknowledged_by_the_fleet()
    {
        var (v1, v2) = await ReleaseTwoVersionsAsync();

        var rollback = await _b.RollbackAsync("fleet-bot", new { reason = "via replica B" });

        Assert.Equal(v2, rollback["from"]!.GetValue<int>());
        Assert.Equal(v1, rollback["to"]!.GetValue<int>());
        Assert.Equal(2, rollback["replicas"]!["total"]!.GetValue<int>());
        Assert.Equal(2, rollback["replicas"]!["acked"]!.GetValue<int>());
        Assert.True(rollback["replicas"]!["allAckedMs"]!.GetValue<double>() < 1000);
        Assert.Equal(v1, await VersionServedByAsync(_a));
        Assert.Equal(v1, await VersionServedByAsync(_b));
    }

    [Fact]
    public async Task While_redis_is_down_replicas_keep_routing_and_admin_writes_fail_with_503_then_everything_resumes()
    {
        var (v1, v2) = await ReleaseTwoVersionsAsync();

        await _redis.StopAsync();
        var write = await _a.Admin.PostAsync("/admin/agents/fleet-bot/rollback", GatewayInstance.Json(new { }));
        var servedByA = await VersionServedByAsync(_a);
        var servedByB = await VersionServedByAsync(_b);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, write.StatusCode);
        Assert.Equal("application/problem+json", write.Content.Headers.ContentType?.MediaType);
        Assert.Equal(v2, servedByA);
        Assert.Equal(v2, servedByB);

        await _redis.StartAsync();
        var rollback = await Eventually.SucceedsAsync<JsonObject, Exception>(() => _a.RollbackAsync("fleet-bot"), "Redis accepts writes again", TimeSpan.FromSeconds(20));

        Assert.Equal(v1, rollback["to"]!.GetValue<int>());
        await Eventually.TrueAsync(async () => await VersionServedByAsync(_b) == v1, "replica B catches up after the outage");
        var history = JsonNode.Parse(await _b.Admin.GetStringAsync("/admin/agents/fleet-bot/history"))!["events"]!.AsArray();
        Assert.Single(history, e => e!["type"]!.GetValue<string>() == "rollback");
    }

    [Fact]
    public async Task A_replica_started_later_on_the_same_redis_finds_versions_state_and_history()
    {
        var (v1, _) = await ReleaseTwoVersionsAsync();
        await _a.RollbackAsync("fleet-bot");
        var history = await _a.Admin.GetStringAsync("/admin/agents/fleet-bot/history");

        await using var late = await StartReplicaAsync("replica-late");

        await Eventually.TrueAsync(async () => await VersionServedByAsync(late) == v1, "the new replica routes by the stored state");
        Assert.Equal(history, await late.Admin.GetStringAsync("/admin/agents/fleet-bot/history"));
        Assert.Equal(2, JsonNode.Parse(await late.Admin.GetStringAsync("/admin/agents/fleet-bot/versions"))!["versions"]!.AsArray().Count);
    }

    private static async Task<int?> VersionServedByAsync(GatewayInstance replica)
    {
        var response = await replica.Proxy.GetAsync("/agents/fleet-bot/x");
        return response.IsSuccessStatusCode ? int.Parse(response.Headers.GetValues("X-Rollgate-Version").Single()) : null;
    }
}
