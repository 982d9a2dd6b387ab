using System.Diagnostics.Metrics;
using Rollgate.Observability;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Observability;

/// <summary>/metrics exports Rollgate's metrics and the runtime's, never the framework's per-request instruments.</summary>
public sealed class DefaultMetricsPolicyTests
{
    [Theory]
    [InlineData("System.Runtime", true)]
    [InlineData("Microsoft.AspNetCore.Hosting", false)]
    [InlineData("Microsoft.AspNetCore.Server.Kestrel", false)]
    [InlineData("Microsoft.AspNetCore.Routing", false)]
    [InlineData("Microsoft.AspNetCore.MemoryPool", false)]
    [InlineData("System.Net.Http", false)]
    public void Exports_only_the_runtime_meter(string meterName, bool exported)
    {
        using var meter = new Meter(meterName);
        var counter = meter.CreateCounter<long>("probe");

        Assert.Equal(exported, DefaultMetricsPolicy.Exports(counter));
    }

    [Fact]
    public async Task A_scraped_gateway_exports_no_per_request_framework_metrics()
    {
        await using var gateway = await GatewayInstance.StartAsync();
        await using var backend = await TestBackend.StartAsync("metrics-backend");
        await gateway.ReleaseAsync("scraped-bot", backend.Url);

        // The first scrape starts prometheus-net's listeners; requests after it are what a listener would record.
        await gateway.Admin.GetStringAsync("/metrics");
        for (var i = 0; i < 5; i++)
        {
            (await gateway.Proxy.GetAsync("/agents/scraped-bot/x")).EnsureSuccessStatusCode();
        }

        var metrics = await gateway.Admin.GetStringAsync("/metrics");

        Assert.Contains("rollgate_requests_total{agent=\"scraped-bot\",version=\"1\",role=\"stable\",outcome=\"success\"} 5", metrics);
        Assert.Contains("system_runtime_", metrics);
        Assert.Contains("process_cpu_seconds_total", metrics);
        foreach (var family in new[] { "http_server_request_duration", "http_client_request_duration", "kestrel_", "routing_match_attempts", "memory_pool" })
        {
            Assert.DoesNotContain(family, metrics);
        }
    }
}
