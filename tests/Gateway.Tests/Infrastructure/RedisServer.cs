using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Rollgate.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port with its own temp directory. It writes an append-only file,
/// so <see cref="StopAsync"/> (a hard kill, like a crash) followed by <see cref="StartAsync"/> keeps the data.
/// Use as an xunit class fixture; it is killed and its directory deleted on dispose.
/// </summary>
public sealed class RedisServer : IAsyncLifetime, IAsyncDisposable
{
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan PingInterval = TimeSpan.FromMilliseconds(20);
    // Servers still running when the test host exits (a crashed or aborted run) are killed rather than orphaned.
    private static readonly ConcurrentDictionary<Process, byte> Running = new();

    static RedisServer() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var process in Running.Keys)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }
    };

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "rollgate-redis-" + Guid.NewGuid().ToString("N"));
    private readonly StringBuilder _output = new();
    private Process? _process;

    public int Port { get; private set; }

    /// <summary>StackExchange.Redis configuration string of this server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        // The OS may hand the free port to someone else before redis binds it: retry with a new one.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort.Get();
            try
            {
                await StartAsync();
                return;
            }
            catch (RedisServerStartException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>(Re)starts the server on the same port and directory.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            return;
        }

        var executable = FindOnPath("redis-server") ?? throw new InvalidOperationException(
            "redis-server was not found on PATH. The Redis store tests need a real Redis: run ./test.sh, which installs it " +
            "(or: apt-get install -y redis-server).");

        lock (_output)
        {
            _output.Clear();
        }

        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", _directory,
                     "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no",
                     "--protected-mode", "no", "--loglevel", "warning",
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Running[process] = 0;

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new RedisServerStartException($"redis-server exited with code {process.ExitCode} on port {Port}: {Output()}");
            }

            if (await AnswersPingAsync())
            {
                return;
            }

            if (deadline.Elapsed > StartDeadline)
            {
                await StopAsync();
                throw new RedisServerStartException($"redis-server did not answer PING on port {Port} within {StartDeadline.TotalSeconds} s: {Output()}");
            }

            await Task.Delay(PingInterval);
        }
    }

    /// <summary>Kills the server (no graceful shutdown: clients see it vanish, as in a crash).</summary>
    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync();
        }
        finally
        {
            Running.TryRemove(process, out _);
            process.Dispose();
        }
    }

    /// <summary>Kills the server and starts it again without its data: a restart of a Redis that does not persist.</summary>
    public async Task RestartEmptyAsync()
    {
        await StopAsync();
        foreach (var entry in new DirectoryInfo(_directory).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }

        await StartAsync();
    }

    /// <summary>Deletes every key (<c>FLUSHALL</c>) while the server keeps running.</summary>
    public async Task FlushAllAsync()
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await client.ConnectAsync("127.0.0.1", Port, timeout.Token);
        var stream = client.GetStream();
        await stream.WriteAsync("FLUSHALL\r\n"u8.ToArray(), timeout.Token);
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer, timeout.Token);
        var reply = Encoding.ASCII.GetString(buffer, 0, read);
        if (!reply.StartsWith("+OK", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"FLUSHALL answered {reply.Trim()}");
        }
    }

    public async Task DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync("127.0.0.1", Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            // "-LOADING" while the append-only file is replayed: not ready yet.
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 16_000)
            {
                _output.AppendLine(line);
            }
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private static string? FindOnPath(string name)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private sealed class RedisServerStartException(string message) : Exception(message);
}
