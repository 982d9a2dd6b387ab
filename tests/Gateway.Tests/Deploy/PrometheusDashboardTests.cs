using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Rollgate.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Rollgate.Tests.Deploy;

/// <summary>
/// A real Prometheus scrapes a real gateway that serves a canary, task outcomes, tokens and cost, and rolls the canary
/// back by a rule; then every query of the shipped dashboard is sent to Prometheus as Grafana would send it.
/// </summary>
public sealed class PrometheusDashboardTests(ITestOutputHelper output)
{
    private const string Agent = "prom-bot";
    private const string Rule = "rollback when error_rate > 50% over 10s min 5 requests";
    private static readonly TimeSpan TrafficDeadline = TimeSpan.FromSeconds(60);

    /// <summary>Panels this traffic does not feed: no tool is called, no model is called by the gateway, no drill passes.</summary>
    private static bool FedByThisTraffic(GrafanaDashboard.Panel panel)
        => panel.Row != "Tools and models" && panel.Title != "Last passed drill";

    [Fact]
    public async Task Every_dashboard_query_is_accepted_and_the_panels_for_the_traffic_driven_return_data()
    {
        var dashboard = GrafanaDashboard.Load();
        var started = DateTimeOffset.UtcNow;
        var served = 0;
        await using var stable = await TestBackend.StartAsync("stable", async context =>
        {
            context.Response.Headers["X-Rollgate-Outcome"] = Interlocked.Increment(ref served) % 4 == 0 ? "failed" : "completed";
            context.Response.Headers["X-Rollgate-Cost-Usd"] = "0.0015";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"answer":"ok","usage":{"prompt_tokens":120,"completion_tokens":30}}""");
        });
        await using var failing = await TestBackend.StartAsync("failing", context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return Task.CompletedTask;
        });
        await using var gateway = await GatewayInstance.StartAsync(settings: new Dictionary<string, string> { ["Rollgate:EvaluationInterval"] = "1s" });
        await GatewayInstance.EnsureAsync(await gateway.PutAgentAsync(Agent, new { rules = new[] { Rule } }));
        var good = await gateway.CreateVersionAsync(Agent, stable.Url, "stable");
        var bad = await gateway.CreateVersionAsync(Agent, failing.Url, "failing");
        await gateway.DeployAsync(Agent, good);

        await using var prometheus = await PrometheusServer.StartAsync(
            [new Uri(gateway.AdminUrl).Authority], [Repository.Path("deploy", "prometheus", "alerts.yml")]);
        var rules = await prometheus.Http.GetFromJsonAsync<JsonObject>("/api/v1/rules");
        Assert.Equal(10, rules!["data"]!["groups"]!.AsArray().Sum(g => g!["rules"]!.AsArray().Count)); // the shipped rules load
        await Eventually.TrueAsync(async () => (await prometheus.QueryAsync($"rollgate_config_generation{{job=\"rollgate\", agent=\"{Agent}\"}}")).HasData,
            "Prometheus has scraped the gateway", TimeSpan.FromSeconds(30));

        // The canary's series exist at 0 once it takes the role; let Prometheus see them before the first canary request,
        // so that rates see every request.
        await gateway.DeployAsync(Agent, bad, "canary", new { steps = new[] { 50, 100 }, stepDuration = "1h" });
        await Eventually.TrueAsync(async () => (await prometheus.QueryAsync($"rollgate_requests_total{{agent=\"{Agent}\", role=\"canary\"}}")).HasData,
            "Prometheus has scraped the canary's series", TimeSpan.FromSeconds(30));

        // Traffic goes on until every panel it feeds shows data; the rule rolls the canary back on the way.
        var expected = dashboard.Panels.Where(FedByThisTraffic).ToList();
        var withData = new List<GrafanaDashboard.Panel>();
        var deadline = Stopwatch.StartNew();
        while (expected.Count > 0 && deadline.Elapsed < TrafficDeadline)
        {
            for (var i = 0; i < 10; i++)
            {
                using var response = await gateway.Proxy.GetAsync($"/agents/{Agent}/ask");
            }

            foreach (var panel in expected.ToArray())
            {
                if (await ReturnsDataAsync(prometheus, panel, started))
                {
                    withData.Add(panel);
                    expected.Remove(panel);
                }
            }
        }

        Assert.True(expected.Count == 0, $"no data after {deadline.Elapsed.TotalSeconds:0} s of traffic: " + string.Join("; ", expected));
        Assert.Null((await gateway.GetAgentAsync(Agent))["canary"]); // the rule rolled the canary back
        await Eventually.TrueAsync(async () => (await prometheus.QueryAsync($"ALERTS{{alertname=\"RollgateRuleRollback\", agent=\"{Agent}\", alertstate=\"firing\"}}")).HasData,
            "the shipped alert rules see the rule's rollback", TimeSpan.FromSeconds(30));
        foreach (var panel in dashboard.Panels)
        {
            foreach (var target in panel.Targets)
            {
                var answer = await AskAsync(prometheus, target, started);
                Assert.True(answer.Accepted, $"{panel} ({target.RefId}) refused: {answer.Error}\n{target.Expr}");
            }
        }

        // The variables, as Grafana's label_values(metric, label) asks for them.
        Assert.Contains(Agent, await prometheus.LabelValuesAsync("agent", "rollgate_requests_total"));
        Assert.Equal([good.ToString(), bad.ToString()], (await prometheus.LabelValuesAsync("version", $"rollgate_requests_total{{agent=~\"{Agent}\"}}")).Order());

        output.WriteLine("returned data: " + string.Join("; ", withData));
        output.WriteLine("not fed by this test: " + string.Join("; ", dashboard.Panels.Where(p => !FedByThisTraffic(p))));
    }

    private static async Task<bool> ReturnsDataAsync(PrometheusServer prometheus, GrafanaDashboard.Panel panel, DateTimeOffset started)
    {
        var any = false;
        foreach (var target in panel.Targets)
        {
            var answer = await AskAsync(prometheus, target, started);
            Assert.True(answer.Accepted, $"{panel} ({target.RefId}) refused: {answer.Error}\n{target.Expr}");
            any |= answer.HasData;
        }

        return any;
    }

    /// <summary>
    /// The target as Grafana sends it with agent prom-bot and both its versions chosen (a multi-value variable becomes a
    /// regex alternation), a 1 h dashboard range, and $__rate_interval at four scrape intervals.
    /// </summary>
    private static Task<PrometheusAnswer> AskAsync(PrometheusServer prometheus, GrafanaDashboard.Target target, DateTimeOffset started)
    {
        var rateInterval = $"{4 * PrometheusServer.ScrapeInterval.TotalSeconds:0}s";
        var expr = GrafanaDashboard.Substitute(target.Expr, Agent, "(1|2)", rateInterval, "3600s");
        return target.Instant
            ? prometheus.QueryAsync(expr)
            : prometheus.QueryRangeAsync(expr, started, DateTimeOffset.UtcNow, PrometheusServer.ScrapeInterval);
    }
}
