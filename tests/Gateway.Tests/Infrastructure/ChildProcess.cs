using System.Diagnostics;

namespace Rollgate.Tests.Infrastructure;

/// <summary>Runs a program to its end with a deadline, collecting what it prints; past the deadline it is killed and the test fails.</summary>
public static class ChildProcess
{
    /// <summary>The .NET host that runs this suite, to start the gateway's own entry point with.</summary>
    public static string DotnetHost => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    /// <summary>The gateway's entry assembly, built beside the tests.</summary>
    public static string GatewayDll => Path.Combine(AppContext.BaseDirectory, "Gateway.dll");

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ProcessStartInfo start, TimeSpan deadline, string? stdin = null)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = stdin is not null;
        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{start.FileName} did not finish within {deadline.TotalSeconds:0} s\n{await stdout}\n{await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
