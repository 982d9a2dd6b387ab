using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Rollgate.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Rollgate.Tests.Rules.Evaluation;

/// <summary>Automatic rollback through the real host: real traffic, real figures, real evaluation every interval.</summary>
public sealed class AutomaticRollbackTests : IAsyncLifetime
{
    private GatewayInstance _gateway = null!;
    private TestBackend _stable = null!;
    private TestBackend _failing = null!;
    private WireMockServer _webhook = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayInstance.StartAsync(settings: new Dictionary<string, string> { ["Rollgate:EvaluationInterval"] = "1s" });
        _stable = await TestBackend.StartAsync("stable");
        var calls = 0;
        _failing = await TestBackend.StartAsync("failing", context =>
        {
            context.Response.StatusCode = Interlocked.Increment(ref calls) % 5 < 2 ? 503 : 200; // 40% errors
            return Task.CompletedTask;
        });
        _webhook = WireMockServer.Start();
        _webhook.Given(Request.Create().WithPath("/rollgate").UsingPost()).RespondWith(Response.Create().WithStatusCode(200));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _stable.DisposeAsync();
        await _failing.DisposeAsync();
        _webhook.Stop();
    }

    [Fact]
    public async Task A_canary_failing_40_percent_is_rolled_back_within_the_window_plus_two_intervals()
    {
        const string rule = "rollback when error_rate > 15% over 10s min 20 requests";
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("auto-bot", new { rules = new[] { rule }, webhooks = new[] { _webhook.Url + "/rollgate" } }));
        var stable = await _gateway.CreateVersionAsync("auto-bot", _stable.Url, "stable");
        var canary = await _gateway.CreateVersionAsync("auto-bot", _failing.Url, "failing");
        await _gateway.DeployAsync("auto-bot", stable);
        await _gateway.DeployAsync("auto-bot", canary, "canary", new { steps = new[] { 25, 100 }, stepDuration = "1h" });
        var clock = Stopwatch.StartNew();

        using var traffic = new CancellationTokenSource();
        var driver = DriveAsync("auto-bot", traffic.Token);
        await Eventually.TrueAsync(async () => (await _gateway.GetAgentAsync("auto-bot"))["canary"] is null, "the canary is rolled back", TimeSpan.FromSeconds(20));
        var elapsed = clock.Elapsed;
        traffic.Cancel();
        await driver;

        Assert.True(elapsed < TimeSpan.FromSeconds(12), $"rolled back after {elapsed.TotalSeconds:F1} s (window 10 s + 2 intervals)");
        var state = await _gateway.GetAgentAsync("auto-bot");
        Assert.Equal("rolled_back", state["status"]!.GetValue<string>());
        Assert.Equal(rule, state["rules"]![0]!["text"]!.GetValue<string>());
        // The apply time is stored beside the event once the change is routed, a moment after the commit itself.
        JsonNode history = null!;
        await Eventually.TrueAsync(async () =>
        {
            history = (await _gateway.Admin.GetFromJsonAsync<JsonObject>("/admin/agents/auto-bot/history?limit=1"))!["events"]![0]!;
            return history["applyMs"] is not null;
        }, "the rollback's apply time is recorded");
        Assert.Equal("rollback", history["type"]!.GetValue<string>());
        Assert.Equal("rule: " + rule, history["actor"]!.GetValue<string>());
        Assert.True(history["evidence"]!["subject"]!["requests"]!.GetValue<long>() >= 20);
        Assert.True(history["detectMs"]!.GetValue<double>() >= 0);
        Assert.True(history["applyMs"]!.GetValue<double>() > 0);
        var metrics = await _gateway.Admin.GetStringAsync("/metrics");
        Assert.Contains("rollgate_rollbacks_total{agent=\"auto-bot\",trigger=\"rule\"} 1", metrics);
        Assert.Contains($"rollgate_rule_firing{{agent=\"auto-bot\",action=\"rollback\",rule=\"{rule}\"}}", metrics);
        await Eventually.TrueAsync(() => _webhook.LogEntries.Any(), "the webhook receives the firing");
        var posted = JsonNode.Parse(_webhook.LogEntries.First().RequestMessage.Body!)!;
        Assert.Equal("rollback", posted["type"]!.GetValue<string>());
        Assert.Equal(rule, posted["rule"]!.GetValue<string>());
        Assert.Equal(history["id"]!.GetValue<string>(), posted["eventId"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_canary_as_good_as_stable_is_not_rolled_back()
    {
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("same-bot", new
        {
            rules = new[] { "rollback when error_rate > 15% over 10s min 20 requests", "rollback when error_rate > 1.5x baseline over 10s with 99% confidence" },
        }));
        var stable = await _gateway.CreateVersionAsync("same-bot", _stable.Url, "stable");
        var canary = await _gateway.CreateVersionAsync("same-bot", _stable.Url, "same, reworded");
        await _gateway.DeployAsync("same-bot", stable);
        await _gateway.DeployAsync("same-bot", canary, "canary", new { steps = new[] { 50, 100 }, stepDuration = "1h" });

        using var traffic = new CancellationTokenSource();
        var driver = DriveAsync("same-bot", traffic.Token);
        await Eventually.TrueAsync(async () =>
        {
            var rules = (await _gateway.GetAgentAsync("same-bot"))["rules"]!.AsArray();
            return rules.All(r => r!["state"]!.GetValue<string>() == "ok" && r["subjectRequests"]!.GetValue<long>() >= 100);
        }, "both rules have judged a canary with plenty of traffic");
        await Eventually.TrueAsync(async () => (await _gateway.Admin.GetStringAsync("/admin/agents/same-bot/metrics?window=10s")).Contains("\"requests\""), "figures flow");
        traffic.Cancel();
        await driver;

        var state = await _gateway.GetAgentAsync("same-bot");
        Assert.Equal(canary, state["canary"]!.GetValue<int>());
        Assert.Equal("canary", state["status"]!.GetValue<string>());
    }

    private async Task DriveAsync(string agent, CancellationToken stop)
    {
        var loops = Enumerable.Range(0, 4).Select(async _ =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await _gateway.Proxy.GetAsync($"/agents/{agent}/ask", stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
        await Task.WhenAll(loops);
    }
}
