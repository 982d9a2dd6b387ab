using System.Diagnostics;
using System.Text.Json.Nodes;
using Rollgate.Hosting;

namespace Rollgate.Demo;

/// <summary>
/// The story: two sample backends and the real gateway in-process; support-bot with guard rules; v1 stable, then a
/// bad v2 as a 5% canary under live traffic; the gateway rolls it back on its own; the evidence, the timings and a
/// last burst that lands entirely on v1.
/// </summary>
public static class DemoScenario
{
    public const string Agent = "support-bot";
    private const string Token = "demo";
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan HardTimeout = TimeSpan.FromSeconds(50);
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(250);

    private static readonly string[] Rules =
    [
        "alert when error_rate > 5% over 10s for 5s",
        "rollback when error_rate > 1.5x baseline over 30s with 99% confidence",
        "rollback when error_rate > 15% over 10s min 20 requests",
        "rollback when task_completion_rate drops by 20% over 10s min 20 requests",
    ];

    public static async Task<int> RunAsync(CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var dataDir = Path.Combine(Path.GetTempPath(), "rollgate-demo-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var good = await SampleBackends.StartGoodAsync(cancel);
            await using var bad = await SampleBackends.StartBadAsync(cancel);
            var proxyUrl = $"http://127.0.0.1:{InProcessHost.FreePort()}";
            var adminUrl = $"http://127.0.0.1:{InProcessHost.FreePort()}";
            await using var gateway = await StartGatewayAsync(proxyUrl, adminUrl, dataDir, cancel);
            using var admin = new AdminClient(adminUrl, Token);
            using var proxy = InProcessHost.Client(proxyUrl);
            await admin.WaitReadyAsync(cancel);

            Console.WriteLine("Rollgate demo: a bad agent version is rolled back automatically");
            Console.WriteLine($"  gateway   proxy {proxyUrl}  admin {adminUrl}  file store in {dataDir}");
            Console.WriteLine($"  backends  v1 {good.Url} good (1% 5xx, 98% tasks completed) · v2 {bad.Url} bad (40% 5xx, half the rest wrong, slower, 3x tokens)");
            await SetUpAsync(admin, good.Url, bad.Url, cancel);
            for (var i = 0; i < Rules.Length; i++)
            {
                Console.WriteLine($"  {(i == 0 ? "rules" : ""),-9} #{i + 1} {Rules[i]}");
            }

            var traffic = new TrafficDriver(proxy, Agent, loops: 8, requestsPerSecond: 200, sessions: 400);
            Console.WriteLine($"  traffic   ~200 req/s from 8 loops over 400 sessions ({RollgateHeaders.SessionId}); v2 canary at 5% after a {WarmUp.TotalSeconds:0} s warm-up");
            Console.WriteLine();

            var display = new ProgressDisplay();
            using var stopTraffic = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            var running = traffic.RunAsync(stopTraffic.Token);
            JsonObject agent;
            TimeSpan canaryAt;
            try
            {
                var warmUpEnd = clock.Elapsed + WarmUp;
                await WatchAsync(admin, display, traffic, clock, _ => "warm-up: all traffic on v1", _ => clock.Elapsed >= warmUpEnd, cancel);

                await admin.PostAsync($"/admin/agents/{Agent}/deployments",
                    """{"version":2,"strategy":"canary","steps":[5,25,50,100],"stepDuration":"10m"}""", cancel);
                canaryAt = clock.Elapsed;
                agent = await WatchAsync(admin, display, traffic, clock,
                    a => IsRolledBack(a)
                        ? $"ROLLED BACK: the gateway removed canary v2 {(clock.Elapsed - canaryAt).TotalSeconds:0.0} s after its deploy"
                        : $"canary v2 deployed {(clock.Elapsed - canaryAt).TotalSeconds:0.0} s ago, waiting for the rules",
                    a => IsRolledBack(a) || clock.Elapsed >= HardTimeout, cancel);
            }
            finally
            {
                stopTraffic.Cancel();
                await running;
            }

            Console.WriteLine();
            if (!IsRolledBack(agent))
            {
                await RollbackReport.PrintNoRollbackAsync(admin, agent, HardTimeout, cancel);
                return 1;
            }

            await RollbackReport.PrintAsync(admin, traffic, clock.Elapsed - canaryAt, cancel);
            Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:0.0} s; stopping the gateway and the backends, deleting {dataDir}.");
            return 0;
        }
        finally
        {
            if (Directory.Exists(dataDir))
            {
                Directory.Delete(dataDir, recursive: true);
            }
        }
    }

    private static bool IsRolledBack(JsonObject agent) => agent["canary"] is null && agent["status"]?.ToString() == "rolled_back";

    private static Task<InProcessHost> StartGatewayAsync(string proxyUrl, string adminUrl, string dataDir, CancellationToken cancel)
    {
        string[] args =
        [
            $"--Rollgate:ProxyUrl={proxyUrl}",
            $"--Rollgate:AdminUrl={adminUrl}",
            $"--Rollgate:DataDir={dataDir}",
            $"--Rollgate:AdminToken={Token}",
            "--Rollgate:EvaluationInterval=1s",
            "--Logging:LogLevel:Default=Warning",
            // The rule's firing is shown from the API (rule states, history); its log line would tear the live display.
            "--Logging:LogLevel:Rollgate.Rules.Evaluation.RuleEvaluator=None",
        ];
        return InProcessHost.StartAsync(GatewayHost.Build(args, builder => InProcessHost.OwnShutdown(builder.Services)), cancel);
    }

    /// <summary>support-bot with the guard rules, v1 (good backend) and v2 based on v1 (new prompt, bad backend); v1 deployed.</summary>
    private static async Task SetUpAsync(AdminClient admin, string goodUrl, string badUrl, CancellationToken cancel)
    {
        var definition = new JsonObject
        {
            ["stickyBy"] = new JsonObject { ["header"] = RollgateHeaders.SessionId },
            ["rules"] = new JsonArray([.. Rules.Select(rule => JsonValue.Create(rule))]),
            ["rollout"] = new JsonObject { ["steps"] = new JsonArray(5, 25, 50, 100), ["stepDuration"] = "10m" },
        };
        await admin.PutAsync($"/admin/agents/{Agent}", definition.ToJsonString(), cancel);
        await admin.PostAsync($"/admin/agents/{Agent}/versions", $$$"""
            {"prompt": {"system": "You are a helpful support agent. Look the order up before answering."},
             "model": {"provider": "openai", "name": "gpt-4o-2024-11-20", "temperature": 0.2,
                       "pricing": {"inputPerMTok": 2.5, "outputPerMTok": 10}},
             "backend": {"destinations": ["{{{goodUrl}}}"]}, "notes": "known good"}
            """, cancel);
        await admin.PostAsync($"/admin/agents/{Agent}/versions", $$$"""
            {"basedOn": 1, "prompt": {"system": "You are a terse support agent. Answer in as few words as possible."},
             "backend": {"destinations": ["{{{badUrl}}}"]}, "notes": "shorter answers (bad)"}
            """, cancel);
        await admin.PostAsync($"/admin/agents/{Agent}/deployments", """{"version":1,"strategy":"immediate"}""", cancel);
    }

    /// <summary>Polls the release state and redraws the display until <paramref name="done"/>; returns the last state.</summary>
    private static async Task<JsonObject> WatchAsync(AdminClient admin, ProgressDisplay display, TrafficDriver traffic, Stopwatch clock,
        Func<JsonObject, string> phase, Func<JsonObject, bool> done, CancellationToken cancel)
    {
        while (true)
        {
            var agent = await admin.GetAsync($"/admin/agents/{Agent}", cancel);
            var finished = done(agent);
            display.Show(phase(agent), clock.Elapsed, agent, traffic, force: finished);
            if (finished)
            {
                return agent;
            }

            await Task.Delay(Refresh, cancel);
        }
    }
}
