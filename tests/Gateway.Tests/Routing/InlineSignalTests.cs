using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Routing;

/// <summary>Cost, tokens and task outcomes read in-line from responses, as exported to Prometheus.</summary>
public sealed class InlineSignalTests : IAsyncLifetime
{
    private GatewayInstance _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayInstance.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private static readonly object Pricing = new { provider = "openai", name = "gpt-test", pricing = new { inputPerMTok = 2.5, outputPerMTok = 10 } };

    private async Task ReleaseAsync(string agent, TestBackend backend)
    {
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync(agent));
        var version = await _gateway.CreateVersionAsync(agent, backend.Url, extra: new { model = Pricing });
        await _gateway.DeployAsync(agent, version);
    }

    [Fact]
    public async Task Cost_and_tokens_come_from_the_json_usage_object_times_the_version_pricing()
    {
        await using var backend = await TestBackend.StartAsync("json", context =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"id":"c1","choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":1000,"completion_tokens":200,"total_tokens":1200}}""");
        });
        await ReleaseAsync("json-cost-bot", backend);

        var body = await (await _gateway.Proxy.PostAsync("/agents/json-cost-bot/v1/chat/completions", GatewayInstance.Json(new { }))).Content.ReadAsStringAsync();
        var metrics = await _gateway.Admin.GetStringAsync("/metrics");

        Assert.Contains("\"prompt_tokens\":1000", body);
        Assert.Equal(0.0045, Metric(metrics, "rollgate_cost_usd_total{agent=\"json-cost-bot\",version=\"1\"}"), precision: 9);
        Assert.Equal(1000, Metric(metrics, "rollgate_tokens_total{agent=\"json-cost-bot\",version=\"1\",kind=\"input\"}"));
        Assert.Equal(200, Metric(metrics, "rollgate_tokens_total{agent=\"json-cost-bot\",version=\"1\",kind=\"output\"}"));
    }

    [Fact]
    public async Task Sse_usage_is_taken_from_the_stream_while_the_first_event_reaches_the_client_before_the_backend_finishes()
    {
        var finish = new TaskCompletionSource();
        await using var backend = await TestBackend.StartAsync("sse", async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: {\"choices\":[{\"delta\":{\"content\":\"He\"}}]}\n\n");
            await context.Response.Body.FlushAsync();
            await finish.Task.WaitAsync(TimeSpan.FromSeconds(20));
            await context.Response.WriteAsync("data: {\"choices\":[],\"usage\":{\"input_tokens\":400,\"output_tokens\":\n");
            await context.Response.WriteAsync("data: {\"choices\":[],\"usage\":{\"input_tokens\":400,\"output_tokens\":100}}\n\ndata: [DONE]\n\n");
        });
        await ReleaseAsync("sse-cost-bot", backend);

        using var response = await _gateway.Proxy.GetAsync("/agents/sse-cost-bot/stream", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(finish.Task.IsCompleted);
        finish.SetResult();
        await reader.ReadToEndAsync();

        Assert.Contains("\"He\"", first);
        await Eventually.TrueAsync(async () => (await _gateway.Admin.GetStringAsync("/metrics")).Contains("rollgate_tokens_total{agent=\"sse-cost-bot\""), "the stream's usage is recorded");
        var metrics = await _gateway.Admin.GetStringAsync("/metrics");
        Assert.Equal(400, Metric(metrics, "rollgate_tokens_total{agent=\"sse-cost-bot\",version=\"1\",kind=\"input\"}"));
        Assert.Equal(100, Metric(metrics, "rollgate_tokens_total{agent=\"sse-cost-bot\",version=\"1\",kind=\"output\"}"));
        Assert.Equal(0.002, Metric(metrics, "rollgate_cost_usd_total{agent=\"sse-cost-bot\",version=\"1\"}"), precision: 9);
    }

    [Fact]
    public async Task A_cost_header_wins_over_usage_and_the_outcome_header_counts_task_outcomes()
    {
        var calls = 0;
        await using var backend = await TestBackend.StartAsync("header", context =>
        {
            context.Response.Headers[RollgateHeaders.CostUsd] = "0.25";
            context.Response.Headers[RollgateHeaders.Outcome] = Interlocked.Increment(ref calls) % 2 == 0 ? "failed" : "completed";
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"usage":{"prompt_tokens":10,"completion_tokens":10}}""");
        });
        await ReleaseAsync("header-cost-bot", backend);

        for (var i = 0; i < 3; i++)
        {
            await GatewayInstance.EnsureAsync(await _gateway.Proxy.GetAsync("/agents/header-cost-bot/x"));
        }

        var metrics = await _gateway.Admin.GetStringAsync("/metrics");
        Assert.Equal(0.75, Metric(metrics, "rollgate_cost_usd_total{agent=\"header-cost-bot\",version=\"1\"}"), precision: 9);
        Assert.Equal(2, Metric(metrics, "rollgate_task_outcomes_total{agent=\"header-cost-bot\",version=\"1\",outcome=\"completed\"}"));
        Assert.Equal(1, Metric(metrics, "rollgate_task_outcomes_total{agent=\"header-cost-bot\",version=\"1\",outcome=\"failed\"}"));
    }

    private static double Metric(string exposition, string series)
    {
        var match = Regex.Match(exposition, "^" + Regex.Escape(series) + " (\\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"{series} is exported");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
