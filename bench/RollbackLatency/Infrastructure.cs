using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Rollgate.Hosting;

namespace Rollgate.Bench.RollbackLatency;

internal static class FreePort
{
    public static int Get()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A real <c>redis-server</c> on a free loopback port with its own temp directory; killed on dispose (and at process exit).</summary>
internal sealed class RedisProcess : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "rollgate-bench-redis-" + Guid.NewGuid().ToString("N"));
    private readonly StringBuilder _output = new();
    private Process? _process;

    public int Port { get; private set; }
    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<RedisProcess> StartAsync(string appendFsync)
    {
        var redis = new RedisProcess();
        Directory.CreateDirectory(redis._directory);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await redis.StartOnceAsync(FreePort.Get(), appendFsync);
                return redis;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // The free port was taken before redis bound it: try another.
            }
        }
    }

    private async Task StartOnceAsync(int port, string appendFsync)
    {
        Port = port;
        var executable = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException("redis-server is not on PATH (bench/rollback-latency.sh installs it with apt-get)");
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] args = appendFsync == "no-aof"
            ? ["--appendonly", "no"]
            : ["--appendonly", "yes", "--appendfsync", appendFsync];
        foreach (var argument in new[] { "--port", port.ToString(), "--bind", "127.0.0.1", "--dir", _directory, "--save", "",
                     "--daemonize", "no", "--protected-mode", "no", "--loglevel", "warning" }.Concat(args))
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Kill();

        var deadline = Stopwatch.StartNew();
        while (!await AnswersPingAsync())
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(15))
            {
                Kill();
                string output;
                lock (_output) output = _output.ToString();
                throw new InvalidOperationException($"redis-server did not start on port {port}: {output}");
            }

            await Task.Delay(20);
        }
    }

    private async Task<bool> AnswersPingAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private void Kill()
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
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        finally
        {
            process.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>A tiny Kestrel agent backend answering every request with a chat completion carrying usage.</summary>
internal sealed class Backend : IAsyncDisposable
{
    private static readonly byte[] Body = """{"id":"x","choices":[{"message":{"content":"ok"}}],"usage":{"prompt_tokens":12,"completion_tokens":3}}"""u8.ToArray();
    private readonly WebApplication _app;

    private Backend(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public static async Task<Backend> StartAsync()
    {
        var url = $"http://127.0.0.1:{FreePort.Get()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = Body.Length;
            return context.Response.Body.WriteAsync(Body, context.RequestAborted).AsTask();
        });
        await app.StartAsync();
        return new Backend(app, url);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One real gateway replica, built by <see cref="GatewayHost.Build"/> exactly as Program.cs does, on two free loopback ports.</summary>
internal sealed class Gateway : IAsyncDisposable
{
    public const string Token = "bench";
    private readonly WebApplication _app;

    private Gateway(WebApplication app, string proxyUrl, string adminUrl, string dataDir)
    {
        _app = app;
        DataDir = dataDir;
        Proxy = NewClient(proxyUrl);
        Admin = NewClient(adminUrl);
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public HttpClient Proxy { get; }
    public HttpClient Admin { get; }
    public string DataDir { get; }
    public IServiceProvider Services => _app.Services;

    public static HttpClient NewClient(string baseUrl) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    })
    {
        BaseAddress = new Uri(baseUrl),
        Timeout = TimeSpan.FromSeconds(30),
    };

    public static async Task<Gateway> StartAsync(string store, string replicaId, string? redis)
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "rollgate-bench-" + Guid.NewGuid().ToString("N"));
        var proxyUrl = $"http://127.0.0.1:{FreePort.Get()}";
        var adminUrl = $"http://127.0.0.1:{FreePort.Get()}";
        var args = new List<string>
        {
            $"--Rollgate:Store={store}",
            $"--Rollgate:ReplicaId={replicaId}",
            $"--Rollgate:AdminToken={Token}",
            $"--Rollgate:ProxyUrl={proxyUrl}",
            $"--Rollgate:AdminUrl={adminUrl}",
            $"--Rollgate:DataDir={dataDir}",
            $"--Logging:LogLevel:Default={Environment.GetEnvironmentVariable("GATEWAY_LOG_LEVEL") ?? "Warning"}",
        };
        if (redis is not null)
        {
            args.Add($"--Rollgate:Redis={redis}");
        }

        var app = GatewayHost.Build(args.ToArray());
        await app.StartAsync();
        var gateway = new Gateway(app, proxyUrl, adminUrl, dataDir);
        var deadline = Stopwatch.StartNew();
        while (!(await gateway.Admin.GetAsync("/readyz")).IsSuccessStatusCode)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"gateway {replicaId} not ready after 30 s");
            }

            await Task.Delay(20);
        }

        return gateway;
    }

    public async Task<JsonObject> SendAsync(HttpMethod method, string path, object body)
    {
        using var request = new HttpRequestMessage(method, path)
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        using var response = await Admin.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode} from {method} {path}: {text}");
        }

        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>The version that served one proxied request (the X-Rollgate-Version response header), or null.</summary>
    public static async Task<int?> ServedByAsync(HttpClient proxy, string agent)
    {
        using var response = await proxy.GetAsync($"/agents/{agent}/v1/chat/completions");
        await response.Content.LoadIntoBufferAsync();
        return response.Headers.TryGetValues(RollgateHeaders.Version, out var values) && int.TryParse(values.FirstOrDefault(), out var v) ? v : null;
    }

    public async ValueTask DisposeAsync()
    {
        Proxy.Dispose();
        Admin.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
