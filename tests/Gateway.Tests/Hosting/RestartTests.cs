using System.Net;
using System.Text.Json.Nodes;
using Rollgate.Hosting;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Hosting;

/// <summary>The file store survives a restart with nothing lost, and refuses a second process on its directory.</summary>
public sealed class RestartTests : IAsyncLifetime
{
    private readonly string _dataDir = GatewayInstance.NewDataDir();
    private TestBackend _backend = null!;

    public async Task InitializeAsync() => _backend = await TestBackend.StartAsync("b");

    public async Task DisposeAsync()
    {
        await _backend.DisposeAsync();
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Versions_state_and_history_are_all_there_after_a_restart()
    {
        string stateBefore, versionsBefore, historyBefore;
        await using (var first = await GatewayInstance.StartAsync(_dataDir))
        {
            await GatewayInstance.EnsureAsync(await first.PutAgentAsync("durable-bot", new { rules = new[] { "alert when error_rate > 5% for 5m" } }));
            var v1 = await first.CreateVersionAsync("durable-bot", _backend.Url, "one");
            var v2 = await first.CreateVersionAsync("durable-bot", _backend.Url, "two");
            await first.DeployAsync("durable-bot", v1);
            await first.DeployAsync("durable-bot", v2);
            await first.RollbackAsync("durable-bot", new { reason = "before restart" });
            stateBefore = await ReleaseStateAsync(first, "durable-bot");
            versionsBefore = await first.Admin.GetStringAsync("/admin/agents/durable-bot/versions");
            historyBefore = await first.Admin.GetStringAsync("/admin/agents/durable-bot/history");
        }

        await using var second = await GatewayInstance.StartAsync(_dataDir);

        Assert.Equal(stateBefore, await ReleaseStateAsync(second, "durable-bot"));
        Assert.Equal(versionsBefore, await second.Admin.GetStringAsync("/admin/agents/durable-bot/versions"));
        Assert.Equal(historyBefore, await second.Admin.GetStringAsync("/admin/agents/durable-bot/history"));
        var routed = await second.Proxy.GetAsync("/agents/durable-bot/x");
        Assert.Equal("1", routed.Headers.GetValues(RollgateHeaders.Version).Single());
    }

    [Fact]
    public async Task A_second_gateway_on_the_same_data_dir_refuses_to_start_with_a_clear_message()
    {
        await using var first = await GatewayInstance.StartAsync(_dataDir);

        var error = await Assert.ThrowsAsync<StartupException>(() => GatewayInstance.StartAsync(_dataDir));

        Assert.Contains("in use by another Rollgate process", error.Message);
        Assert.Equal(HttpStatusCode.OK, (await first.Admin.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task Without_a_configured_token_one_is_generated_into_a_0600_file_and_works()
    {
        await using var gateway = await GatewayInstance.StartAsync(_dataDir, withTokens: false);
        var path = Path.Combine(_dataDir, "admin-token");

        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        var token = (await File.ReadAllTextAsync(path)).Trim();
        using var client = new HttpClient { BaseAddress = new Uri(gateway.AdminUrl) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/agents")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await gateway.Admin.GetAsync("/admin/agents")).StatusCode);
    }

    [Fact]
    public async Task Seed_file_is_applied_at_start_up_and_a_second_start_changes_nothing()
    {
        var seed = Path.Combine(Path.GetTempPath(), $"seed-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(seed, new JsonObject
        {
            ["agents"] = new JsonArray(new JsonObject
            {
                ["name"] = "seeded-bot",
                ["definition"] = new JsonObject { ["rules"] = new JsonArray("rollback when error_rate > 15% for 2m") },
                ["versions"] = new JsonArray(
                    new JsonObject { ["prompt"] = new JsonObject { ["system"] = "one" }, ["backend"] = new JsonObject { ["destinations"] = new JsonArray(_backend.Url) } },
                    new JsonObject { ["basedOn"] = 1, ["prompt"] = new JsonObject { ["system"] = "two" } }),
                ["deploy"] = 2,
            }),
        }.ToJsonString());
        var settings = new Dictionary<string, string> { ["Rollgate:Seed"] = seed };
        try
        {
            string first;
            await using (var gateway = await GatewayInstance.StartAsync(_dataDir, settings))
            {
                first = await ReleaseStateAsync(gateway, "seeded-bot");
                Assert.Equal("2", (await gateway.Proxy.GetAsync("/agents/seeded-bot/x")).Headers.GetValues(RollgateHeaders.Version).Single());
            }

            await using var again = await GatewayInstance.StartAsync(_dataDir, settings);

            Assert.Equal(first, await ReleaseStateAsync(again, "seeded-bot"));
            var versions = JsonNode.Parse(await again.Admin.GetStringAsync("/admin/agents/seeded-bot/versions"))!["versions"]!.AsArray();
            Assert.Equal(2, versions.Count);
            Assert.Equal("seed", versions[0]!["createdBy"]!.GetValue<string>());
        }
        finally
        {
            File.Delete(seed);
        }
    }

    [Fact]
    public void Same_port_for_both_listeners_is_refused()
    {
        var error = Assert.Throws<StartupException>(() => GatewayHost.Build(["--Rollgate:ProxyUrl=http://127.0.0.1:18999", "--Rollgate:AdminUrl=http://127.0.0.1:18999"]));

        Assert.Contains("different ports", error.Message);
    }

    /// <summary>The stored release state and definition; rule states are live evaluations, not stored state.</summary>
    private static async Task<string> ReleaseStateAsync(GatewayInstance gateway, string agent)
    {
        var state = JsonNode.Parse(await gateway.Admin.GetStringAsync($"/admin/agents/{agent}"))!.AsObject();
        state.Remove("rules");
        return state.ToJsonString();
    }
}
