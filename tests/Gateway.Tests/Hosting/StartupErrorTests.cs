using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Rollgate.Hosting;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Hosting;

/// <summary>
/// The gateway's own process refusing to start: one line on standard error naming the setting, exit code 2 for a
/// setting to correct and 1 for a resource in use, and no stack trace.
/// </summary>
public sealed class StartupErrorTests
{
    [Theory]
    [InlineData("Rollgate:ProxyUrl", "nonsense")]
    [InlineData("Rollgate:AdminUrl", "ftp://127.0.0.1:21")]
    [InlineData("Rollgate:EvaluationInterval", "soon")]
    [InlineData("Rollgate:Store", "mongo")]
    [InlineData("Rollgate:Tokens:0:Role", "king")]
    [InlineData("Rollgate:Webhooks:MaxAttempts", "0")]
    [InlineData("Rollgate:Webhooks:AttemptTimeout", "soon")]
    public async Task An_invalid_setting_is_one_line_naming_it_and_exit_code_2(string key, string value)
    {
        var settings = new Dictionary<string, string> { [key] = value };
        if (key.StartsWith("Rollgate:Tokens", StringComparison.Ordinal))
        {
            settings["Rollgate:Tokens:0:Token"] = "a-token";
        }

        var (exitCode, output) = await RunAsync(settings);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(output);
        Assert.StartsWith("rollgate: ", line);
        Assert.Contains(key, line);
        Assert.DoesNotContain("System.", line); // the setting and what it expects, never a .NET type
    }

    [Fact]
    public async Task Bad_values_in_three_sections_are_one_line_naming_every_key_and_exit_code_2()
    {
        var (exitCode, output) = await RunAsync(new Dictionary<string, string>
        {
            ["Rollgate:EvaluationInterval"] = "soon",
            ["Rollgate:Figures:MinuteRetention"] = "1m",
            ["Rollgate:Webhooks:MaxAttempts"] = "0",
        });

        Assert.Equal(2, exitCode);
        var line = Assert.Single(output);
        Assert.StartsWith("rollgate: ", line);
        Assert.Contains("Rollgate:EvaluationInterval 'soon'", line);
        Assert.Contains("Rollgate:Figures:MinuteRetention", line);
        Assert.Contains("Rollgate:Webhooks:MaxAttempts", line);
    }

    [Fact]
    public async Task A_port_in_use_is_one_line_naming_the_setting_and_exit_code_1()
    {
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var (exitCode, output) = await RunAsync(new Dictionary<string, string> { ["Rollgate:AdminUrl"] = $"http://127.0.0.1:{port}" });

        Assert.Equal(1, exitCode);
        var line = Assert.Single(output);
        Assert.Contains("Rollgate:AdminUrl", line);
        Assert.Contains("already in use", line);
    }

    [Fact]
    public async Task A_data_directory_held_by_another_gateway_is_one_line_and_exit_code_1()
    {
        var dataDir = GatewayInstance.NewDataDir();
        await using var first = await GatewayInstance.StartAsync(dataDir);

        var (exitCode, output) = await RunAsync(new Dictionary<string, string> { ["Rollgate:DataDir"] = dataDir });

        Assert.Equal(1, exitCode);
        Assert.Contains("in use by another Rollgate process", Assert.Single(output));
    }

    [Fact]
    public void In_process_the_same_refusals_are_startup_exceptions()
    {
        var error = Assert.Throws<StartupException>(() => GatewayHost.Build(["--Rollgate:ProxyUrl=http://127.0.0.1:notaport"]));

        Assert.Equal(2, error.ExitCode);
        Assert.Contains("Rollgate:ProxyUrl", error.Message);
    }

    [Fact]
    public void In_process_a_bad_webhook_setting_stops_the_build_naming_its_key()
    {
        string[] args =
        [
            $"--Rollgate:ProxyUrl=http://127.0.0.1:{FreePort.Get()}",
            $"--Rollgate:AdminUrl=http://127.0.0.1:{FreePort.Get()}",
            $"--Rollgate:DataDir={GatewayInstance.NewDataDir()}",
            "--Rollgate:Webhooks:MaxAttempts=0",
        ];

        var error = Assert.Throws<StartupException>(() => GatewayHost.Build(args));

        Assert.Equal(2, error.ExitCode);
        Assert.Equal("Rollgate:Webhooks:MaxAttempts must be at least 1 (it is 0)", error.Message);
    }

    /// <summary>Runs the gateway's entry point as its own process, with free ports and a fresh data directory unless given.</summary>
    private static async Task<(int ExitCode, string[] Output)> RunAsync(Dictionary<string, string> settings)
    {
        var config = new Dictionary<string, string>
        {
            ["Rollgate:ProxyUrl"] = $"http://127.0.0.1:{FreePort.Get()}",
            ["Rollgate:AdminUrl"] = $"http://127.0.0.1:{FreePort.Get()}",
            ["Rollgate:DataDir"] = GatewayInstance.NewDataDir(),
            ["Rollgate:AdminToken"] = GatewayInstance.OperatorToken,
        };
        foreach (var (key, value) in settings)
        {
            config[key] = value;
        }

        var start = new ProcessStartInfo(ChildProcess.DotnetHost);
        start.ArgumentList.Add(ChildProcess.GatewayDll);
        foreach (var (key, value) in config)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        // A gateway that starts instead of refusing runs until the deadline, which fails the test.
        var (exitCode, stdout, stderr) = await ChildProcess.RunAsync(start, TimeSpan.FromSeconds(60));
        var lines = (stdout + stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (exitCode, lines);
    }
}
