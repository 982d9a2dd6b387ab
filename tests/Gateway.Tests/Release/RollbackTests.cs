using Microsoft.AspNetCore.Http;
using System.Net.Http.Json;
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Release;

/// <summary>Manual rollback through the real host: immediate effect, no failed request, in-flight requests unharmed.</summary>
public sealed class RollbackTests : IAsyncLifetime
{
    private GatewayInstance _gateway = null!;
    private TestBackend _good = null!;
    private TestBackend _bad = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayInstance.StartAsync();
        _good = await TestBackend.StartAsync("good");
        _bad = await TestBackend.StartAsync("bad");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _good.DisposeAsync();
        await _bad.DisposeAsync();
    }

    [Fact]
    public async Task Next_request_after_the_rollback_response_is_served_by_the_target_while_traffic_runs_without_failures()
    {
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("busy-bot"));
        var good = await _gateway.CreateVersionAsync("busy-bot", _good.Url, "good prompt");
        var bad = await _gateway.CreateVersionAsync("busy-bot", _bad.Url, "bad prompt");
        await _gateway.DeployAsync("busy-bot", good);
        await _gateway.DeployAsync("busy-bot", bad);

        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentBag<string>();
        var served = new ConcurrentDictionary<string, int>();
        var traffic = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var response = await _gateway.Proxy.GetAsync("/agents/busy-bot/ask");
                if (!response.IsSuccessStatusCode)
                {
                    failures.Add($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                }
                else
                {
                    served.AddOrUpdate((await TestBackend.Echo.ReadAsync(response)).Backend, 1, (_, n) => n + 1);
                }
            }
        })).ToArray();
        await Eventually.TrueAsync(() => served.GetValueOrDefault("bad") >= 50, "traffic reaches the bad version");

        var rollback = await _gateway.RollbackAsync("busy-bot", new { reason = "answers are wrong" });
        var next = await _gateway.Proxy.GetAsync("/agents/busy-bot/ask");

        Assert.Equal("good", (await TestBackend.Echo.ReadAsync(next)).Backend);
        Assert.Equal(good.ToString(), next.Headers.GetValues(RollgateHeaders.Version).Single());
        await Eventually.TrueAsync(() => served.GetValueOrDefault("good") >= 50, "traffic continues on the good version");
        stop.Cancel();
        await Task.WhenAll(traffic);

        Assert.Empty(failures);
        Assert.Equal(bad, rollback["from"]!.GetValue<int>());
        Assert.Equal(good, rollback["to"]!.GetValue<int>());
        Assert.Equal("manual", rollback["trigger"]!.GetValue<string>());
        Assert.Equal("answers are wrong", rollback["reason"]!.GetValue<string>());
        Assert.True(rollback["applyMs"]!.GetValue<double>() > 0);
        Assert.Equal(1, rollback["replicas"]!["acked"]!.GetValue<int>());
        Assert.Equal(1, rollback["replicas"]!["total"]!.GetValue<int>());
        var state = await _gateway.GetAgentAsync("busy-bot");
        Assert.Equal("rolled_back", state["status"]!.GetValue<string>());
        Assert.Equal(good, state["stable"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_request_in_flight_during_the_rollback_finishes_on_the_version_it_started_on()
    {
        var release = new TaskCompletionSource();
        var arrived = new TaskCompletionSource();
        await using var slow = await TestBackend.StartAsync("slow-v2", async context =>
        {
            arrived.TrySetResult();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await context.Response.WriteAsync("from v2");
        });
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("inflight-bot"));
        var v1 = await _gateway.CreateVersionAsync("inflight-bot", _good.Url, "v1");
        var v2 = await _gateway.CreateVersionAsync("inflight-bot", slow.Url, "v2");
        await _gateway.DeployAsync("inflight-bot", v1);
        await _gateway.DeployAsync("inflight-bot", v2);

        var inFlight = _gateway.Proxy.GetAsync("/agents/inflight-bot/slow");
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await _gateway.RollbackAsync("inflight-bot");
        var after = await _gateway.Proxy.GetAsync("/agents/inflight-bot/fast");
        release.SetResult();
        var finished = await inFlight;

        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        Assert.Equal("from v2", await finished.Content.ReadAsStringAsync());
        Assert.Equal(v2.ToString(), finished.Headers.GetValues(RollgateHeaders.Version).Single());
        Assert.Equal(v1.ToString(), after.Headers.GetValues(RollgateHeaders.Version).Single());
    }

    [Fact]
    public async Task Rollback_to_an_explicit_version_and_history_records_every_change_with_the_token_name()
    {
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("history-bot"));
        var v1 = await _gateway.CreateVersionAsync("history-bot", _good.Url, "one");
        var v2 = await _gateway.CreateVersionAsync("history-bot", _good.Url, "two");
        var v3 = await _gateway.CreateVersionAsync("history-bot", _good.Url, "three");
        await _gateway.DeployAsync("history-bot", v1);
        await _gateway.DeployAsync("history-bot", v2);
        await _gateway.DeployAsync("history-bot", v3);

        var rollback = await _gateway.RollbackAsync("history-bot", new { to = v1, reason = "back to the first" });

        Assert.Equal(v3, rollback["from"]!.GetValue<int>());
        Assert.Equal(v1, rollback["to"]!.GetValue<int>());
        var history = (await _gateway.Admin.GetFromJsonAsync<JsonObject>("/admin/agents/history-bot/history?limit=3"))!["events"]!.AsArray();
        Assert.Equal(3, history.Count);
        Assert.Equal(["rollback", "deploy", "deploy"], history.Select(e => e!["type"]!.GetValue<string>()));
        Assert.All(history, e => Assert.Equal("admin", e!["actor"]!.GetValue<string>()));
        Assert.Equal([5L, 4L, 3L], history.Select(e => e!["generation"]!.GetValue<long>()));
        Assert.Equal(rollback["generation"]!.GetValue<long>(), history[0]!["generation"]!.GetValue<long>());
        Assert.Equal(rollback["applyMs"]!.GetValue<double>(), history[0]!["applyMs"]!.GetValue<double>());
    }

    [Fact]
    public async Task Repeated_rollbacks_walk_back_the_lineage_mark_what_they_left_and_end_in_no_rollback_target()
    {
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("lineage-bot"));
        var v1 = await _gateway.CreateVersionAsync("lineage-bot", _good.Url, "one");
        var v2 = await _gateway.CreateVersionAsync("lineage-bot", _good.Url, "two");
        var v3 = await _gateway.CreateVersionAsync("lineage-bot", _bad.Url, "three");
        await _gateway.DeployAsync("lineage-bot", v1);
        await _gateway.DeployAsync("lineage-bot", v2);
        await _gateway.DeployAsync("lineage-bot", v3);

        // The agent's JSON announces each default target before the rollback goes there.
        Assert.Equal(v2, (await _gateway.GetAgentAsync("lineage-bot"))["rollbackTarget"]!.GetValue<int>());
        var first = await _gateway.RollbackAsync("lineage-bot");
        Assert.Equal(v1, (await _gateway.GetAgentAsync("lineage-bot"))["rollbackTarget"]!.GetValue<int>());
        var second = await _gateway.RollbackAsync("lineage-bot");
        var third = await _gateway.Admin.PostAsync("/admin/agents/lineage-bot/rollback", GatewayInstance.Json(new { }));

        Assert.Equal((v3, v2), (first["from"]!.GetValue<int>(), first["to"]!.GetValue<int>()));
        Assert.Equal((v2, v1), (second["from"]!.GetValue<int>(), second["to"]!.GetValue<int>()));
        Assert.Equal(HttpStatusCode.Conflict, third.StatusCode);
        Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("/no-rollback-target", (await third.Content.ReadFromJsonAsync<JsonObject>())!["type"]!.GetValue<string>());
        var state = await _gateway.GetAgentAsync("lineage-bot");
        Assert.Null(state["rollbackTarget"]);
        Assert.Equal([v3, v2], state["rolledBackVersions"]!.AsArray().Select(v => v!.GetValue<int>()));
        Assert.Equal(second["generation"]!.GetValue<long>(), state["generation"]!.GetValue<long>()); // the refusal changed nothing
        var versions = (await _gateway.Admin.GetFromJsonAsync<JsonObject>("/admin/agents/lineage-bot/versions"))!["versions"]!.AsArray();
        Assert.Equal([false, true, true], versions.Select(v => v!["rolledBack"]!.GetValue<bool>()));
        var one = (await _gateway.Admin.GetFromJsonAsync<JsonObject>($"/admin/agents/lineage-bot/versions/{v3}"))!;
        Assert.True(one["rolledBack"]!.GetValue<bool>());
        Assert.Equal(v1.ToString(), (await _gateway.Proxy.GetAsync("/agents/lineage-bot/")).Headers.GetValues(RollgateHeaders.Version).Single());
    }

    [Fact]
    public async Task Rollback_metrics_are_exported()
    {
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("metric-bot"));
        var v1 = await _gateway.CreateVersionAsync("metric-bot", _good.Url, "one");
        var v2 = await _gateway.CreateVersionAsync("metric-bot", _good.Url, "two");
        await _gateway.DeployAsync("metric-bot", v1);
        await _gateway.DeployAsync("metric-bot", v2);

        await _gateway.RollbackAsync("metric-bot");
        var metrics = await _gateway.Admin.GetStringAsync("/metrics");

        Assert.Contains("rollgate_rollbacks_total{agent=\"metric-bot\",trigger=\"manual\"} 1", metrics);
        Assert.Contains("rollgate_rollback_apply_seconds_count{agent=\"metric-bot\"} 1", metrics);
        Assert.Contains("rollgate_active_version{agent=\"metric-bot\",role=\"stable\"} 1", metrics);
        Assert.Contains("rollgate_config_generation{agent=\"metric-bot\"} 4", metrics);
    }
}
