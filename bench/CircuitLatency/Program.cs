// Circuit → fleet latency (the tools issue's target): from a tool's circuit opening on replica A to both replicas
// routing the agent to its degradation version, under 1 s at p99 with two replicas on Redis.
// Everything runs in this process on loopback: a real redis-server, two backends (v1 the fallback, v2 the stable), a
// tool that fails or answers as told, and two gateway replicas built by GatewayHost.Build. Each trial: the tool fails,
// two calls through A open its circuit (the second call's answer marks the opening), probe loops on A's and B's proxy
// timestamp the first response served by v1; then the tool recovers and the trial waits until both serve v2 again.
//
// Environment: TRIALS [40] measured trials; WARMUP [3] trials not counted; GATEWAY_LOG_LEVEL [Warning].

using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using System.Globalization;
using Rollgate.Bench.RollbackLatency;

const string Agent = "x";
const double TargetMs = 1000;
var trials = int.Parse(Environment.GetEnvironmentVariable("TRIALS") ?? "40", CultureInfo.InvariantCulture);
var warmup = int.Parse(Environment.GetEnvironmentVariable("WARMUP") ?? "3", CultureInfo.InvariantCulture);

await using var redis = await RedisProcess.StartAsync("everysec");
await using var v1 = await Backend.StartAsync();
await using var v2 = await Backend.StartAsync();
await using var tool = await ToggledTool.StartAsync();
await using var a = await Gateway.StartAsync("redis", "replica-a", redis.ConnectionString);
await using var b = await Gateway.StartAsync("redis", "replica-b", redis.ConnectionString);
Log($"redis {redis.ConnectionString}, tool {tool.Url}, {Environment.ProcessorCount} CPUs; {warmup} warm-up + {trials} measured trials");

await a.SendAsync(HttpMethod.Put, "/admin/tools/refund", new
{
    endpoint = tool.Url,
    timeout = "2s",
    breaker = new { failureRatio = 0.5, minimumThroughput = 2, samplingDuration = "5s", breakDuration = "500ms" },
});
await a.SendAsync(HttpMethod.Put, $"/admin/agents/{Agent}", new { degradation = new[] { new { tool = "refund", routeTo = 1 } } });
await a.SendAsync(HttpMethod.Post, $"/admin/agents/{Agent}/versions", new { prompt = new { system = "no refunds" }, backend = new { destinations = new[] { v1.Url } } });
await a.SendAsync(HttpMethod.Post, $"/admin/agents/{Agent}/versions", new { prompt = new { system = "refunds" }, backend = new { destinations = new[] { v2.Url } } });
await a.SendAsync(HttpMethod.Post, $"/admin/agents/{Agent}/deployments", new { version = 2, strategy = "immediate" });
await using var probeA = new Probe(a.Proxy, Agent);
await using var probeB = new Probe(b.Proxy, Agent);
await probeB.WaitForVersion(2).WaitAsync(TimeSpan.FromSeconds(10));
await WaitUntilAsync(async () => (await b.Proxy.GetAsync("/tools/refund/ping")).StatusCode != System.Net.HttpStatusCode.NotFound, "replica B knows the tool");

var onA = new List<double>();
var onB = new List<double>();
var fleet = new List<double>();
var back = new List<double>();
for (var i = 0; i < warmup + trials; i++)
{
    tool.Failing = true;
    var degradedOnA = probeA.WaitForVersion(1);
    var degradedOnB = probeB.WaitForVersion(1);
    await a.Proxy.PostAsync("/tools/refund/refunds", new StringContent("{}"));
    await a.Proxy.PostAsync("/tools/refund/refunds", new StringContent("{}"));
    var opened = Stopwatch.GetTimestamp();
    var hitA = await degradedOnA.WaitAsync(TimeSpan.FromSeconds(10));
    var hitB = await degradedOnB.WaitAsync(TimeSpan.FromSeconds(10));

    tool.Failing = false; // the replicas' probes close the circuit; after the break duration closed everywhere, the agent returns
    var recovered = Stopwatch.GetTimestamp();
    var restoredOnA = probeA.WaitForVersion(2);
    var restoredOnB = probeB.WaitForVersion(2);
    var backA = await restoredOnA.WaitAsync(TimeSpan.FromSeconds(10));
    var backB = await restoredOnB.WaitAsync(TimeSpan.FromSeconds(10));
    if (i < warmup)
    {
        continue;
    }

    onA.Add(Ms(opened, hitA.Received));
    onB.Add(Ms(opened, hitB.Received));
    fleet.Add(Ms(opened, Math.Max(hitA.Received, hitB.Received)));
    back.Add(Ms(recovered, Math.Max(backA.Received, backB.Received)));
}

Console.WriteLine();
Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-62} {1,4} {2,9} {3,9} {4,9} {5,9}  {6}", "measure (milliseconds)", "n", "p50", "p90", "p99", "max", "target"));
Print("circuit opened on A → A routes to the fallback", onA, null);
Print("circuit opened on A → B routes to the fallback", onB, null);
Print("circuit opened on A → whole fleet routes to the fallback", fleet, TargetMs);
Print("tool recovered → whole fleet back on the stable (break 500 ms)", back, null);
Console.WriteLine($"probe requests: A {probeA.Requests}, B {probeB.Requests}");
return fleet.Count > 0 && P(fleet, 0.99) < TargetMs ? 0 : 1;

static void Print(string name, List<double> values, double? target)
{
    var verdict = target is { } t ? $"p99 < {t:0} ms: {(P(values, 0.99) < t ? "PASS" : "FAIL")}" : "";
    Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-62} {1,4} {2,9:F1} {3,9:F1} {4,9:F1} {5,9:F1}  {6}",
        name, values.Count, P(values, 0.5), P(values, 0.9), P(values, 0.99), values.Max(), verdict));
}

static double P(List<double> values, double q)
{
    var sorted = values.Order().ToArray();
    return sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}

static double Ms(long from, long to) => (to - from) * 1000.0 / Stopwatch.Frequency;

static void Log(string message) => Console.Error.WriteLine($"[circuit-latency {DateTime.Now:HH:mm:ss}] {message}");

static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
{
    var clock = Stopwatch.StartNew();
    while (!await condition())
    {
        if (clock.Elapsed > TimeSpan.FromSeconds(10))
        {
            throw new TimeoutException($"not ready: {what}");
        }

        await Task.Delay(20);
    }
}

/// <summary>A tool that answers 500 while <see cref="Failing"/>, else 200.</summary>
internal sealed class ToggledTool : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile bool _failing;

    private ToggledTool(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public bool Failing
    {
        get => _failing;
        set => _failing = value;
    }

    public static async Task<ToggledTool> StartAsync()
    {
        var url = $"http://127.0.0.1:{FreePort.Get()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        ToggledTool? tool = null;
        app.Run(context =>
        {
            context.Response.StatusCode = tool!.Failing ? 500 : 200;
            return Task.CompletedTask;
        });
        await app.StartAsync();
        tool = new ToggledTool(app, url);
        return tool;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
