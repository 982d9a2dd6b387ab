using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Rollgate.Routing;
using Rollgate.Stores;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Fleet;

/// <summary>Two real gateway replicas on one real Redis.</summary>
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
        var detail = JsonNode.Parse(await write.Content.ReadAsStringAsync())!["detail"]!.GetValue<string>();
        Assert.Contains("no connection to Redis", detail);
        Assert.DoesNotContain("IOCP", detail); // the client library's diagnostics stay in the log
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

    [Fact]
    public async Task After_redis_is_flushed_an_agent_created_anew_routes_by_what_the_store_now_says_on_both_replicas()
    {
        await ReleaseTwoVersionsAsync(); // stable v2, generation 3
        await using var fresh = await TestBackend.StartAsync("fresh");

        await _redis.FlushAllAsync();
        // Created again at once, before the replicas' poll can notice: one version, deployed, generation 2.
        await GatewayInstance.EnsureAsync(await _a.PutAgentAsync("fleet-bot"));
        var only = await _a.CreateVersionAsync("fleet-bot", fresh.Url, "fresh");
        await _a.DeployAsync("fleet-bot", only);

        Assert.Equal(1, only);
        foreach (var replica in new[] { _a, _b })
        {
            await Eventually.TrueAsync(async () => await ServedByAsync(replica) == (1, "fresh"), "the replica routes by the new store", ApplyDeadline);
            var agent = await replica.GetAgentAsync("fleet-bot");
            Assert.Equal((1, 2L), (agent["stable"]!.GetValue<int>(), agent["generation"]!.GetValue<long>()));
        }

        Assert.Equal(await StoreEpochAsync(), Synchronizer(_a).Epoch);
        Assert.Equal(await StoreEpochAsync(), Synchronizer(_b).Epoch);
    }

    [Fact]
    public async Task After_redis_restarts_without_its_data_the_lost_agent_stops_routing_and_can_be_created_anew()
    {
        await ReleaseTwoVersionsAsync();
        var epoch = Synchronizer(_a).Epoch;

        await _redis.RestartEmptyAsync();

        foreach (var replica in new[] { _a, _b })
        {
            await Eventually.TrueAsync(async () => (await replica.Proxy.GetAsync("/agents/fleet-bot/x")).StatusCode == HttpStatusCode.NotFound,
                "the replica no longer routes the agent the store lost", ApplyDeadline);
            Assert.Equal(HttpStatusCode.NotFound, (await replica.Admin.GetAsync("/admin/agents/fleet-bot")).StatusCode);
        }

        await using var fresh = await TestBackend.StartAsync("fresh");
        await GatewayInstance.EnsureAsync(await _b.PutAgentAsync("fleet-bot"));
        await _b.DeployAsync("fleet-bot", await _b.CreateVersionAsync("fleet-bot", fresh.Url, "fresh"));
        await Eventually.TrueAsync(async () => await ServedByAsync(_a) == (1, "fresh") && await ServedByAsync(_b) == (1, "fresh"), "both replicas route the agent created anew");
        Assert.NotEqual(epoch, Synchronizer(_a).Epoch);

        // Heartbeats and acknowledgements start over by themselves: the fleet confirms a rollback again.
        await _b.DeployAsync("fleet-bot", await _b.CreateVersionAsync("fleet-bot", _v2.Url, "two again"));
        await Eventually.TrueAsync(async () => await ServedByAsync(_a) == (2, "v2"), "replica A routes the new version");
        var rollback = await _a.RollbackAsync("fleet-bot");
        Assert.Equal(1, rollback["to"]!.GetValue<int>());
        Assert.Equal((2, 2), (rollback["replicas"]!["acked"]!.GetValue<int>(), rollback["replicas"]!["total"]!.GetValue<int>()));
    }

    [Fact]
    public async Task A_redis_restart_that_keeps_its_data_is_not_taken_for_a_reset()
    {
        var (_, v2) = await ReleaseTwoVersionsAsync();
        var epoch = await StoreEpochAsync();

        await _redis.StopAsync();
        await _redis.StartAsync();
        var marker = await Eventually.SucceedsAsync<HttpResponseMessage, Exception>(async () =>
        {
            var response = await _a.PutAgentAsync("marker-bot");
            return response.IsSuccessStatusCode ? response : throw new InvalidOperationException($"{response.StatusCode}");
        }, "Redis accepts writes again", TimeSpan.FromSeconds(20));
        await Eventually.TrueAsync(async () => (await _b.Admin.GetAsync("/admin/agents/marker-bot")).IsSuccessStatusCode, "replica B reads Redis again");

        Assert.Equal(epoch, await StoreEpochAsync());
        Assert.Equal(epoch, Synchronizer(_a).Epoch);
        Assert.Equal(epoch, Synchronizer(_b).Epoch);
        Assert.Equal(v2, await VersionServedByAsync(_a));
        Assert.Equal(v2, await VersionServedByAsync(_b));
        marker.Dispose();
    }

    /// <summary>Changes reach the other replicas at once by pub/sub; a reset nobody announces, within a poll or two.</summary>
    private static readonly TimeSpan ApplyDeadline = TimeSpan.FromSeconds(5);

    private static ReleaseSynchronizer Synchronizer(GatewayInstance replica) => replica.Services.GetRequiredService<ReleaseSynchronizer>();

    private Task<string> StoreEpochAsync() => _a.Services.GetRequiredService<IRollgateStore>().GetEpochAsync(default);

    private static async Task<(int Version, string Backend)?> ServedByAsync(GatewayInstance replica)
    {
        var response = await replica.Proxy.GetAsync("/agents/fleet-bot/x");
        return response.IsSuccessStatusCode
            ? (int.Parse(response.Headers.GetValues(RollgateHeaders.Version).Single()), (await TestBackend.Echo.ReadAsync(response)).Backend)
            : null;
    }

    private static async Task<int?> VersionServedByAsync(GatewayInstance replica)
    {
        var response = await replica.Proxy.GetAsync("/agents/fleet-bot/x");
        return response.IsSuccessStatusCode ? int.Parse(response.Headers.GetValues(RollgateHeaders.Version).Single()) : null;
    }
}
