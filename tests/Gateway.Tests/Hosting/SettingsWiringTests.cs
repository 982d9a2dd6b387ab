using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Rollgate.Hosting;
using Rollgate.Signals;
using Rollgate.Tests.Infrastructure;
using StackExchange.Redis;

namespace Rollgate.Tests.Hosting;

/// <summary>The components of a real gateway run with what the operator configured, not with their built-in defaults.</summary>
public sealed class SettingsWiringTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task The_redis_store_and_its_companions_use_the_configured_key_prefix_and_the_controller_its_lease()
    {
        await using var backend = await TestBackend.StartAsync("v1");
        await using var gateway = await GatewayInstance.StartAsync(settings: new Dictionary<string, string>
        {
            ["Rollgate:Store"] = "redis",
            ["Rollgate:Redis"] = redis.ConnectionString,
            ["Rollgate:RedisStore:KeyPrefix"] = "tenant-a",
            ["Rollgate:ControllerLease"] = "1m",
        });
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var db = connection.GetDatabase();

        await gateway.ReleaseAsync("bot", backend.Url);
        await GatewayInstance.EnsureAsync(await gateway.Proxy.GetAsync("/agents/bot/x"));

        string[] Keys() => connection.GetServers().Single().Keys(pattern: "*").Select(key => key.ToString()).ToArray();
        await Eventually.TrueAsync(() => Task.FromResult(
            Keys().Any(key => key.StartsWith("tenant-a:{bot}:fig:", StringComparison.Ordinal))
            && Keys().Any(key => key.StartsWith("tenant-a:{bot}:req:", StringComparison.Ordinal))
            && Keys().Contains("tenant-a:lease:controller")), "figures, request ids and the lease are written under the prefix");
        Assert.Contains("tenant-a:{bot}:state", Keys());
        Assert.DoesNotContain(Keys(), key => key.StartsWith("rollgate:", StringComparison.Ordinal));
        // The default lease is five evaluation intervals (5 s).
        Assert.InRange((await db.KeyTimeToLiveAsync("tenant-a:lease:controller"))!.Value, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task Figure_retention_bounds_the_windows_rules_may_use()
    {
        await using var gateway = await GatewayInstance.StartAsync(settings: new Dictionary<string, string>
        {
            ["Rollgate:Figures:MinuteRetention"] = "6h",
        });

        var longer = await gateway.PutAgentAsync("patient-bot", new { rules = new[] { "rollback when error_rate > 15% over 5h" } });
        var tooLong = await gateway.PutAgentAsync("impatient-bot", new { rules = new[] { "rollback when error_rate > 15% over 7h" } });

        Assert.True(longer.IsSuccessStatusCode, await longer.Content.ReadAsStringAsync()); // the default 2h would refuse it
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Contains("must be at most 6h", await tooLong.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_request_ledger_takes_its_limits_from_the_settings()
    {
        var dataDir = GatewayInstance.NewDataDir();
        await using var app = GatewayHost.Build(
        [
            $"--Rollgate:ProxyUrl=http://127.0.0.1:{FreePort.Get()}",
            $"--Rollgate:AdminUrl=http://127.0.0.1:{FreePort.Get()}",
            $"--Rollgate:DataDir={dataDir}",
            "--Rollgate:AdminToken=token",
            "--Rollgate:RequestLedger:BufferCapacity=1",
        ]);
        var ledger = app.Services.GetRequiredService<IRequestLedger>();

        ledger.Remember("bot", "req-1", 1);
        ledger.Remember("bot", "req-2", 1);

        Assert.Equal(1, ledger.Dropped); // with the default buffer (100,000) nothing is dropped
    }

    [Fact]
    public async Task Kestrel_schedules_inline_exactly_when_the_runtime_runs_socket_completions_inline()
    {
        await using var app = GatewayHost.Build(
        [
            $"--Rollgate:ProxyUrl=http://127.0.0.1:{FreePort.Get()}",
            $"--Rollgate:AdminUrl=http://127.0.0.1:{FreePort.Get()}",
            $"--Rollgate:DataDir={GatewayInstance.NewDataDir()}",
            "--Rollgate:AdminToken=token",
        ]);
        var runtimeInline = Environment.GetEnvironmentVariable(SocketScheduling.InlineCompletionsVariable) == "1";

        // Either alone saves little (docs/performance.md); by default, neither.
        Assert.Equal(runtimeInline, app.Services.GetRequiredService<IOptions<SocketTransportOptions>>().Value.UnsafePreferInlineScheduling);
    }
}
