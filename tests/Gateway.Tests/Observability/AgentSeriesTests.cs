using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Observability;

/// <summary>The per-agent series a replica writes when it applies a release state, read from a real gateway's /metrics.</summary>
public sealed class AgentSeriesTests
{
    [Fact]
    public async Task The_status_series_follow_the_release_and_the_rollback_series_exist_at_zero_before_the_first_rollback()
    {
        await using var backend = await TestBackend.StartAsync("v");
        await using var gateway = await GatewayInstance.StartAsync();
        await gateway.ReleaseAsync("status-bot", backend.Url);

        var stable = await gateway.Admin.GetStringAsync("/metrics");
        Assert.Contains("rollgate_agent_status{agent=\"status-bot\",status=\"stable\"} 1", stable);
        Assert.Contains("rollgate_agent_status{agent=\"status-bot\",status=\"paused\"} 0", stable);
        Assert.Contains("rollgate_agent_status{agent=\"status-bot\",status=\"rolled_back\"} 0", stable);
        foreach (var trigger in new[] { "manual", "rule", "drill", "circuit" })
        {
            Assert.Contains($"rollgate_rollbacks_total{{agent=\"status-bot\",trigger=\"{trigger}\"}} 0", stable);
        }

        Assert.Contains("rollgate_rollback_apply_seconds_count{agent=\"status-bot\"} 0", stable);
        Assert.Contains("rollgate_rollback_detect_seconds_count{agent=\"status-bot\",trigger=\"rule\"} 0", stable);

        var canary = await gateway.CreateVersionAsync("status-bot", backend.Url, "two");
        await gateway.DeployAsync("status-bot", canary, "canary", new { steps = new[] { 10, 100 }, stepDuration = "1h" });
        await GatewayInstance.EnsureAsync(await gateway.Admin.PostAsync("/admin/agents/status-bot/pause", GatewayInstance.Json(new { })));

        var paused = await gateway.Admin.GetStringAsync("/metrics");
        Assert.Contains("rollgate_agent_status{agent=\"status-bot\",status=\"paused\"} 1", paused);
        Assert.Contains("rollgate_agent_status{agent=\"status-bot\",status=\"stable\"} 0", paused);
    }
}
