using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Rollgate.Fleet;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Fleet;

/// <summary>Fleet-wide figures and a single controller across replicas on one real Redis.</summary>
public sealed class FleetSignalsAndControllerTests : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private readonly List<GatewayInstance> _replicas = [];
    private TestBackend _stable = null!;
    private TestBackend _failing = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _stable = await TestBackend.StartAsync("stable");
        var calls = 0;
        _failing = await TestBackend.StartAsync("failing", context =>
        {
            context.Response.StatusCode = Interlocked.Increment(ref calls) % 2 == 0 ? 500 : 200;
            return Task.CompletedTask;
        });
    }

    public async Task DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        await _stable.DisposeAsync();
        await _failing.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private async Task<GatewayInstance> StartReplicaAsync(string id)
    {
        var replica = await GatewayInstance.StartAsync(settings: new Dictionary<string, string>
        {
            ["Rollgate:Store"] = "redis",
            ["Rollgate:Redis"] = _redis.ConnectionString,
            ["Rollgate:ReplicaId"] = id,
            ["Rollgate:EvaluationInterval"] = "500ms",
        });
        _replicas.Add(replica);
        return replica;
    }

    [Fact]
    public async Task Metrics_on_either_replica_report_the_sum_of_the_traffic_sent_to_both()
    {
        var a = await StartReplicaAsync("sum-a");
        var b = await StartReplicaAsync("sum-b");
        var version = await a.ReleaseAsync("sum-bot", _stable.Url);
        await Eventually.TrueAsync(async () => (await b.Proxy.GetAsync("/agents/sum-bot/x")).IsSuccessStatusCode, "replica B routes the agent");

        for (var i = 0; i < 60; i++)
        {
            await a.Proxy.GetAsync("/agents/sum-bot/x");
        }

        for (var i = 0; i < 40; i++)
        {
            await b.Proxy.GetAsync("/agents/sum-bot/x");
        }

        foreach (var replica in new[] { a, b })
        {
            await Eventually.TrueAsync(async () =>
            {
                var versions = (await replica.Admin.GetFromJsonAsync<JsonObject>("/admin/agents/sum-bot/metrics?window=60s"))!["versions"]!.AsArray();
                return versions.SingleOrDefault(v => v!["version"]!.GetValue<int>() == version)?["requests"]?.GetValue<long>() == 101;
            }, "the figures hold both replicas' requests (100 plus the readiness probe)");
        }
    }

    [Fact]
    public async Task Killing_the_controller_during_a_canary_still_leads_to_exactly_one_rollback()
    {
        var replicas = new[] { await StartReplicaAsync("ctl-a"), await StartReplicaAsync("ctl-b"), await StartReplicaAsync("ctl-c") };
        await Eventually.TrueAsync(() => replicas.Count(IsController) == 1, "one replica holds the controller lease");
        var controller = replicas.Single(IsController);
        var others = replicas.Where(r => r != controller).ToArray();

        const string rule = "rollback when error_rate > 15% over 10s min 20 requests";
        await GatewayInstance.EnsureAsync(await others[0].PutAgentAsync("ctl-bot", new { rules = new[] { rule } }));
        var stable = await others[0].CreateVersionAsync("ctl-bot", _stable.Url, "stable");
        var canary = await others[0].CreateVersionAsync("ctl-bot", _failing.Url, "failing");
        await others[0].DeployAsync("ctl-bot", stable);
        await controller.DisposeAsync();
        _replicas.Remove(controller);
        await others[0].DeployAsync("ctl-bot", canary, "canary", new { steps = new[] { 50, 100 }, stepDuration = "1h" });

        using var traffic = new CancellationTokenSource();
        var driver = Task.WhenAll(others.Select(r => DriveAsync(r, traffic.Token)));
        await Eventually.TrueAsync(async () => (await others[1].GetAgentAsync("ctl-bot"))["canary"] is null, "a surviving replica takes over and rolls back", TimeSpan.FromSeconds(30));
        traffic.Cancel();
        await driver;
        await Eventually.TrueAsync(() => others.Count(IsController) == 1, "exactly one survivor is the controller");

        var events = (await others[0].Admin.GetFromJsonAsync<JsonObject>("/admin/agents/ctl-bot/history?limit=100"))!["events"]!.AsArray();
        var rollbacks = events.Where(e => e!["type"]!.GetValue<string>() == "rollback").ToArray();
        Assert.Single(rollbacks);
        Assert.Equal("rule: " + rule, rollbacks[0]!["actor"]!.GetValue<string>());
        Assert.Equal(canary, rollbacks[0]!["from"]!.GetValue<int>());
    }

    [Fact]
    public async Task Killing_the_controller_after_an_alert_fired_does_not_fire_it_again()
    {
        var hooks = 0;
        await using var receiver = await TestBackend.StartAsync("webhooks", _ =>
        {
            Interlocked.Increment(ref hooks);
            return Task.CompletedTask;
        });
        var replicas = new[] { await StartReplicaAsync("alert-a"), await StartReplicaAsync("alert-b") };
        await Eventually.TrueAsync(() => replicas.Count(IsController) == 1, "one replica holds the controller lease");
        var controller = replicas.Single(IsController);
        var survivor = replicas.Single(r => r != controller);

        const string rule = "alert when error_rate > 15% over 10s min 20 requests";
        await GatewayInstance.EnsureAsync(await survivor.PutAgentAsync("alert-bot", new { rules = new[] { rule }, webhooks = new[] { receiver.Url + "/hook" } }));
        var stable = await survivor.CreateVersionAsync("alert-bot", _stable.Url, "stable");
        var canary = await survivor.CreateVersionAsync("alert-bot", _failing.Url, "failing");
        await survivor.DeployAsync("alert-bot", stable);
        await survivor.DeployAsync("alert-bot", canary, "canary", new { steps = new[] { 50, 100 }, stepDuration = "1h" });

        using var traffic = new CancellationTokenSource();
        var driver = DriveAsync(survivor, "alert-bot", traffic.Token);
        await Eventually.TrueAsync(() => Volatile.Read(ref hooks) == 1, "the controller fired the alert and its webhook arrived", TimeSpan.FromSeconds(30));
        await controller.DisposeAsync();
        _replicas.Remove(controller);
        var killedAt = DateTimeOffset.UtcNow;

        // The condition still holds while the survivor takes over and evaluates it again and again.
        await Eventually.TrueAsync(async () =>
        {
            var rules = (await survivor.GetAgentAsync("alert-bot"))["rules"]!.AsArray();
            return rules[0]!["evaluatedAt"]?.GetValue<DateTimeOffset>() > killedAt.AddSeconds(2) && rules[0]!["state"]!.GetValue<string>() == "firing";
        }, "the survivor took over and has evaluated the rule for two seconds", TimeSpan.FromSeconds(30));
        traffic.Cancel();
        await driver;

        var events = (await survivor.Admin.GetFromJsonAsync<JsonObject>("/admin/agents/alert-bot/history?limit=100"))!["events"]!.AsArray();
        var alert = Assert.Single(events, e => e!["type"]!.GetValue<string>() == "alert");
        Assert.Equal("rule: " + rule, alert!["actor"]!.GetValue<string>());
        Assert.Equal(1, Volatile.Read(ref hooks));
        Assert.Equal(canary, (await survivor.GetAgentAsync("alert-bot"))["canary"]!.GetValue<int>());
    }

    private static bool IsController(GatewayInstance replica)
        => replica.Services.GetServices<IHostedService>().OfType<ControllerService>().Single().IsLeader;

    private static async Task DriveAsync(GatewayInstance replica, CancellationToken stop) => await DriveAsync(replica, "ctl-bot", stop);

    private static async Task DriveAsync(GatewayInstance replica, string agent, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await replica.Proxy.GetAsync($"/agents/{agent}/ask", stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
