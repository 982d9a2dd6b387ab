using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Drills;

/// <summary><c>POST /admin/agents/{agent}/drill</c> on the real gateway (file store), against real backends.</summary>
public sealed class DrillEndpointTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string> _v1Paths = new();
    private readonly ConcurrentQueue<string> _hooks = new();
    private TestBackend _v1 = null!;
    private TestBackend _v2 = null!;
    private TestBackend _receiver = null!;
    private GatewayInstance _gateway = null!;

    /// <summary>Version 1's backend answers its health path with 503 while this is set.</summary>
    private volatile bool _v1Unhealthy;

    public async Task InitializeAsync()
    {
        _v1 = await TestBackend.StartAsync("v1", context =>
        {
            _v1Paths.Enqueue(context.Request.Path);
            context.Response.StatusCode = _v1Unhealthy && context.Request.Path == "/healthz" ? 503 : 200;
            return Task.CompletedTask;
        });
        _v2 = await TestBackend.StartAsync("v2");
        _receiver = await TestBackend.StartAsync("hooks", async context =>
        {
            _hooks.Enqueue(await new StreamReader(context.Request.Body).ReadToEndAsync());
            context.Response.StatusCode = 204;
        });
        _gateway = await GatewayInstance.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _v1.DisposeAsync();
        await _v2.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task A_drill_rolls_back_checks_restores_and_leaves_the_release_as_it_was()
    {
        await ReleaseTwoVersionsAsync("drill-bot");

        var response = await _gateway.Admin.PostAsync("/admin/agents/drill-bot/drill", null);

        await GatewayInstance.EnsureAsync(response);
        var drill = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("passed", drill["result"]!.GetValue<string>());
        Assert.Equal((2, 1), (drill["from"]!.GetValue<int>(), drill["to"]!.GetValue<int>()));
        Assert.Equal((1, 1), (drill["replicas"]!["acked"]!.GetValue<int>(), drill["replicas"]!["total"]!.GetValue<int>()));
        Assert.Null(drill["failure"]);
        Assert.All(["rollbackMs", "verifyMs", "restoreMs"], name => Assert.InRange(drill[name]!.GetValue<double>(), 0, drill["totalMs"]!.GetValue<double>()));
        Assert.Equal($"\"{drill["generation"]}\"", response.Headers.ETag!.Tag);

        var agent = await _gateway.GetAgentAsync("drill-bot");
        Assert.Equal(("stable", 2), (agent["status"]!.GetValue<string>(), agent["stable"]!.GetValue<int>()));
        Assert.Empty(agent["rolledBackVersions"]!.AsArray());
        Assert.Equal("passed", agent["drill"]!["lastResult"]!.GetValue<string>());
        Assert.Equal("v2", (await TestBackend.Echo.ReadAsync(await _gateway.Proxy.GetAsync("/agents/drill-bot/x"))).Backend);

        var events = (await HistoryAsync("drill-bot", 3)).Select(e => (e!["type"]!.GetValue<string>(), e["from"]!.GetValue<int>(), e["to"]!.GetValue<int>())).ToArray();
        Assert.Equal([("drill", 2, 1), ("restore", 1, 2), ("rollback", 2, 1)], events);
        var recorded = (await HistoryAsync("drill-bot", 1))[0]!["drill"]!;
        Assert.Equal(drill["totalMs"]!.GetValue<double>(), recorded["totalMs"]!.GetValue<double>());

        var metrics = await _gateway.Admin.GetStringAsync("/metrics");
        Assert.Contains("rollgate_rollbacks_total{agent=\"drill-bot\",trigger=\"drill\"} 1", metrics);
        Assert.Contains("rollgate_drill_last_success_timestamp_seconds{agent=\"drill-bot\"}", metrics);
    }

    [Fact]
    public async Task With_a_probe_path_the_target_backend_is_called_and_an_unhealthy_one_fails_the_drill_which_still_restores_and_alerts()
    {
        await ReleaseTwoVersionsAsync("probe-bot", new { drill = new { probePath = "/healthz" }, webhooks = new[] { _receiver.Url + "/hook" } });
        var passed = await DrillAsync("probe-bot");
        _v1Unhealthy = true;

        var failed = await DrillAsync("probe-bot");

        Assert.Equal("passed", passed["result"]!.GetValue<string>());
        Assert.Contains("/healthz", _v1Paths);
        Assert.Equal("failed", failed["result"]!.GetValue<string>());
        Assert.Contains($"after the rollback, GET {_v1.Url}/healthz answered 503, not 2xx", failed["failure"]!.GetValue<string>());
        var agent = await _gateway.GetAgentAsync("probe-bot");
        Assert.Equal(("stable", 2), (agent["status"]!.GetValue<string>(), agent["stable"]!.GetValue<int>()));
        Assert.Equal("failed", agent["drill"]!["lastResult"]!.GetValue<string>());
        var hook = await Eventually.SucceedsAsync<JsonNode, InvalidOperationException>(
            () => Task.FromResult(_hooks.Select(h => JsonNode.Parse(h)!).First()), "the failed drill reaches the webhook");
        Assert.Equal(("drill", "probe-bot"), (hook["type"]!.GetValue<string>(), hook["agent"]!.GetValue<string>()));
        Assert.Equal("failed", hook["drill"]!["result"]!.GetValue<string>());
        Assert.Single(_hooks); // the passed drill sent nothing
        Assert.Contains("rollgate_rollbacks_total{agent=\"probe-bot\",trigger=\"drill\"} 2", await _gateway.Admin.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task A_failed_drill_does_not_set_the_last_success_gauge()
    {
        _v1Unhealthy = true;
        await ReleaseTwoVersionsAsync("sick-bot", new { drill = new { probePath = "/healthz" } });

        Assert.Equal("failed", (await DrillAsync("sick-bot"))["result"]!.GetValue<string>());

        Assert.DoesNotContain("rollgate_drill_last_success_timestamp_seconds{agent=\"sick-bot\"}", await _gateway.Admin.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task A_drill_is_refused_with_409_during_a_canary_and_without_a_target_and_403_for_a_viewer()
    {
        await ReleaseTwoVersionsAsync("canary-bot");
        var v3 = await _gateway.CreateVersionAsync("canary-bot", _v2.Url, "three");
        await _gateway.DeployAsync("canary-bot", v3, "canary");
        await _gateway.ReleaseAsync("lone-bot", _v1.Url);
        using var viewer = new HttpClient { BaseAddress = new Uri(_gateway.AdminUrl) };
        viewer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayInstance.ViewerToken);

        var canary = await _gateway.Admin.PostAsync("/admin/agents/canary-bot/drill", null);
        var lone = await _gateway.Admin.PostAsync("/admin/agents/lone-bot/drill", null);
        var forbidden = await viewer.PostAsync("/admin/agents/lone-bot/drill", null);
        var unknown = await _gateway.Admin.PostAsync("/admin/agents/nobody/drill", null);

        Assert.Equal((HttpStatusCode.Conflict, "conflict"), await ProblemAsync(canary));
        Assert.Equal((HttpStatusCode.Conflict, "no-rollback-target"), await ProblemAsync(lone));
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), await ProblemAsync(forbidden));
        Assert.Equal((HttpStatusCode.NotFound, "unknown-agent"), await ProblemAsync(unknown));
        Assert.Equal(("canary", 3), ((await _gateway.GetAgentAsync("canary-bot"))["status"]!.GetValue<string>(), (await _gateway.GetAgentAsync("canary-bot"))["canary"]!.GetValue<int>()));
        Assert.Equal("deploy", (await HistoryAsync("canary-bot", 1))[0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_drill_schedule_is_validated_and_the_next_due_time_is_in_the_agent()
    {
        var invalid = await _gateway.PutAgentAsync("sched-bot", new { drill = new { every = "0s", probePath = "healthz" } });
        var before = DateTimeOffset.UtcNow;
        var created = await _gateway.PutAgentAsync("sched-bot", new { drill = new { every = "30d", probePath = "/healthz" } });

        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var errors = JsonNode.Parse(await invalid.Content.ReadAsStringAsync())!["errors"]!.AsObject();
        Assert.Equal(["drill.every", "drill.probePath"], errors.Select(e => e.Key).Order());
        await GatewayInstance.EnsureAsync(created);
        var agent = await _gateway.GetAgentAsync("sched-bot");
        Assert.Equal("720h", agent["definition"]!["drill"]!["every"]!.GetValue<string>());
        Assert.InRange(agent["drill"]!["nextDueAt"]!.GetValue<DateTimeOffset>(), before.AddDays(30).AddSeconds(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private async Task ReleaseTwoVersionsAsync(string agent, object? definition = null)
    {
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync(agent, definition));
        var v1 = await _gateway.CreateVersionAsync(agent, _v1.Url, "one");
        var v2 = await _gateway.CreateVersionAsync(agent, _v2.Url, "two");
        await _gateway.DeployAsync(agent, v1);
        await _gateway.DeployAsync(agent, v2);
    }

    private async Task<JsonNode> DrillAsync(string agent)
    {
        var response = await _gateway.Admin.PostAsync($"/admin/agents/{agent}/drill", null);
        await GatewayInstance.EnsureAsync(response);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private async Task<JsonArray> HistoryAsync(string agent, int limit)
        => JsonNode.Parse(await _gateway.Admin.GetStringAsync($"/admin/agents/{agent}/history?limit={limit}"))!["events"]!.AsArray();

    private static async Task<(HttpStatusCode, string)> ProblemAsync(HttpResponseMessage response)
    {
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return (response.StatusCode, problem["type"]!.GetValue<string>().Split('/')[^1]);
    }
}
