using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Admin;

/// <summary><c>GET …/metrics?window=</c> and <c>POST …/outcomes</c> through the real host.</summary>
public sealed class SignalEndpointTests : IAsyncLifetime
{
    private GatewayInstance _gateway = null!;
    private TestBackend _ok = null!;
    private TestBackend _flaky = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayInstance.StartAsync();
        _ok = await TestBackend.StartAsync("ok", context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"usage":{"prompt_tokens":100,"completion_tokens":50}}""");
        });
        var calls = 0;
        _flaky = await TestBackend.StartAsync("flaky", context =>
        {
            context.Response.StatusCode = Interlocked.Increment(ref calls) % 4 == 0 ? 500 : 200;
            return Task.CompletedTask;
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _ok.DisposeAsync();
        await _flaky.DisposeAsync();
    }

    [Fact]
    public async Task Metrics_endpoint_reports_each_version_over_the_window()
    {
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("figures-bot"));
        var stable = await _gateway.CreateVersionAsync("figures-bot", _ok.Url, "ok", new { model = new { pricing = new { inputPerMTok = 2.0, outputPerMTok = 4.0 } } });
        var canary = await _gateway.CreateVersionAsync("figures-bot", _flaky.Url, "flaky");
        await _gateway.DeployAsync("figures-bot", stable);
        await _gateway.DeployAsync("figures-bot", canary, "canary", new { steps = new[] { 50, 100 }, stepDuration = "1h" });

        for (var i = 0; i < 200; i++)
        {
            await _gateway.Proxy.GetAsync($"/agents/figures-bot/x?i={i}");
        }

        JsonArray versions = [];
        await Eventually.TrueAsync(async () =>
        {
            versions = (await _gateway.Admin.GetFromJsonAsync<JsonObject>("/admin/agents/figures-bot/metrics?window=60s"))!["versions"]!.AsArray();
            return versions.Sum(v => v!["requests"]!.GetValue<long>()) == 200;
        }, "all 200 requests are in the figures");

        var s = versions.Single(v => v!["version"]!.GetValue<int>() == stable)!;
        var c = versions.Single(v => v!["version"]!.GetValue<int>() == canary)!;
        Assert.Equal("stable", s["role"]!.GetValue<string>());
        Assert.Equal("canary", c["role"]!.GetValue<string>());
        Assert.Equal(0, s["errorRate"]!.GetValue<double>());
        Assert.InRange(c["errorRate"]!.GetValue<double>(), 0.15, 0.35);
        Assert.Equal(150, s["tokensPerRequest"]!.GetValue<double>());
        Assert.Equal(0.0004, s["costPerRequest"]!.GetValue<double>(), precision: 9);
        Assert.True(s["p50Ms"]!.GetValue<double>() > 0);
        Assert.True(s["meanMs"]!.GetValue<double>() > 0);
        Assert.True(s["p99Ms"]!.GetValue<double>() >= s["p50Ms"]!.GetValue<double>());
    }

    [Fact]
    public async Task Outcomes_reported_later_are_attributed_to_the_version_that_served_the_request()
    {
        var version = await _gateway.ReleaseAsync("outcome-bot", _ok.Url);
        var response = await _gateway.Proxy.GetAsync("/agents/outcome-bot/x");
        var requestId = response.Headers.GetValues(RollgateHeaders.RequestId).Single();
        using var reporter = new HttpClient { BaseAddress = new Uri(_gateway.AdminUrl) };
        reporter.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GatewayInstance.ReporterToken);

        var accepted = await reporter.PostAsync("/admin/agents/outcome-bot/outcomes", GatewayInstance.Json(new { requestId, outcome = "failed" }));
        var unknown = await reporter.PostAsync("/admin/agents/outcome-bot/outcomes", GatewayInstance.Json(new { requestId = "never-seen", outcome = "completed" }));
        var invalid = await reporter.PostAsync("/admin/agents/outcome-bot/outcomes", GatewayInstance.Json(new { requestId, outcome = "meh" }));

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(version, (await accepted.Content.ReadFromJsonAsync<JsonObject>())!["version"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        await Eventually.TrueAsync(async () =>
        {
            var figures = (await _gateway.Admin.GetFromJsonAsync<JsonObject>("/admin/agents/outcome-bot/metrics"))!["versions"]!.AsArray();
            return figures.Any(v => v!["failed"]!.GetValue<long>() == 1 && v["taskCompletionRate"]!.GetValue<double>() == 0);
        }, "the outcome counts for the version");
        Assert.Contains($"rollgate_task_outcomes_total{{agent=\"outcome-bot\",version=\"{version}\",outcome=\"failed\"}} 1", await _gateway.Admin.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task Metrics_window_is_validated()
    {
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("window-bot"));

        Assert.Equal(HttpStatusCode.BadRequest, (await _gateway.Admin.GetAsync("/admin/agents/window-bot/metrics?window=forever")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _gateway.Admin.GetAsync("/admin/agents/window-bot/metrics?window=2h")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _gateway.Admin.GetAsync("/admin/agents/window-bot/metrics?window=10m")).StatusCode);
    }
}
