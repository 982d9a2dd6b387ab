using System.Globalization;
using System.Text.Json.Nodes;

namespace Rollgate.Demo;

/// <summary>What the gateway says it did and why (history, evidence, metrics), and proof that traffic is back on v1.</summary>
public static class RollbackReport
{
    private static readonly string Agent = DemoScenario.Agent;

    public static async Task PrintAsync(AdminClient admin, TrafficDriver traffic, TimeSpan clientSawRollback, CancellationToken cancel)
    {
        var events = (await admin.GetAsync($"/admin/agents/{Agent}/history?limit=20", cancel))["events"]!.AsArray();
        var rollback = events.First(e => e!["type"]!.ToString() == "rollback")!;
        var deploy = events.First(e => e!["type"]!.ToString() == "deploy" && e["to"]?.GetValue<int>() == 2)!;
        var evidence = rollback["evidence"];

        Console.WriteLine($"Rollback event (GET /admin/agents/{Agent}/history): v{rollback["from"]} -> v{rollback["to"]}, generation {rollback["generation"]}");
        Console.WriteLine($"  actor     {rollback["actor"]}");
        Console.WriteLine($"  detail    {rollback["detail"]}");
        if (evidence is not null)
        {
            var window = evidence["window"]!;
            Console.WriteLine($"  window    over {window["over"]} ({Clock(window["from"])} - {Clock(window["to"])}), for {evidence["for"]}, min {evidence["min"]} requests");
            Console.WriteLine($"  subject   v{evidence["subject"]?["version"]}: {evidence["subject"]?["requests"]} requests, {evidence["metric"]} {Number(evidence["subject"]?["value"])}");
            if (evidence["baseline"] is { } baseline)
            {
                Console.WriteLine($"  baseline  v{baseline["version"]}: {baseline["requests"]} requests, {evidence["metric"]} {Number(baseline["value"])}");
            }

            if (evidence["confidence"] is { } confidence)
            {
                Console.WriteLine($"  test      {confidence["method"]} at {confidence["level"]}: statistic {Number(confidence["statistic"])} >= threshold {Number(confidence["threshold"])}");
            }
        }

        var metrics = await admin.MetricsAsync(cancel);
        var applySum = Metric(metrics, "rollgate_rollback_apply_seconds_sum");
        var applyCount = Metric(metrics, "rollgate_rollback_apply_seconds_count");
        var decidedAt = evidence?["decidedAt"] ?? rollback["at"];
        Console.WriteLine();
        Console.WriteLine("Timings");
        Console.WriteLine($"  canary deploy -> rollback decision  {(Time(decidedAt) - Time(deploy["at"])).TotalSeconds,8:0.000} s  (history: deploy at {Clock(deploy["at"])}, decided at {Clock(decidedAt)})");
        Console.WriteLine($"  detectMs (condition held -> fired)  {rollback["detectMs"]?.GetValue<double>(),8:0.0} ms");
        var applyMs = rollback["applyMs"]?.GetValue<double>() ?? (applyCount > 0 ? applySum / applyCount * 1000 : double.NaN);
        Console.WriteLine($"  apply (decision -> committed, live) {applyMs,8:0.000} ms  ("
                          + (rollback["applyMs"] is null ? "" : "history applyMs; ")
                          + (applyCount > 0 ? $"rollgate_rollback_apply_seconds: {applyCount} observation(s), mean {applySum / applyCount * 1000:0.000} ms)" : "no rollgate_rollback_apply_seconds sample)"));
        Console.WriteLine($"  client saw the canary gone after    {clientSawRollback.TotalSeconds,8:0.000} s  (polling GET /admin/agents/{Agent} every 250 ms)");

        var canary = traffic.For("2");
        Console.WriteLine();
        Console.WriteLine($"The canary served {canary.Requests} requests ({canary.Errors} of them 5xx, {canary.FailedTasks} failed tasks); "
                          + $"the gateway counted {Metric(metrics, "rollgate_requests_total", "version=\"2\""):0} for v2 in rollgate_requests_total.");

        var burst = await traffic.BurstAsync(400, parallel: 16, cancel);
        var total = burst.Values.Sum(t => t.Requests);
        var onV1 = burst.TryGetValue("1", out var v1) ? v1.Requests : 0;
        Console.WriteLine($"After the rollback, a burst of {total} requests over all 400 sessions: "
                          + string.Join(", ", burst.OrderBy(kv => kv.Key).Select(kv => $"v{kv.Key} {kv.Value.Requests} ({kv.Value.Errors} 5xx)"))
                          + $" -> {100.0 * onV1 / Math.Max(1, total):0.#}% on v1.");
        if (onV1 != total)
        {
            throw new DemoFailure($"{total - onV1} requests of the final burst were not served by v1");
        }
    }

    public static async Task PrintNoRollbackAsync(AdminClient admin, JsonObject agent, TimeSpan timeout, CancellationToken cancel)
    {
        Console.WriteLine($"NO ROLLBACK within {timeout.TotalSeconds:0} s: status {agent["status"]}, stable v{agent["stable"]}, canary v{agent["canary"]} at {agent["canaryPercent"]}%");
        foreach (var rule in agent["rules"]?.AsArray() ?? [])
        {
            Console.WriteLine($"  rule {rule?["state"],-17} value {Number(rule?["value"])} baseline {Number(rule?["baseline"])} n={rule?["subjectRequests"]}/{rule?["baselineRequests"]}  {rule?["text"]}");
        }

        var events = (await admin.GetAsync($"/admin/agents/{Agent}/history?limit=10", cancel))["events"]!.AsArray();
        foreach (var e in events)
        {
            Console.WriteLine($"  history {Clock(e?["at"])} {e?["type"],-8} by {e?["actor"]}: {e?["detail"]}");
        }
    }

    /// <summary>Sum of the samples of <paramref name="name"/> for the demo agent (and <paramref name="label"/> if given).</summary>
    private static double Metric(string metrics, string name, string? label = null) => metrics.Split('\n')
        .Where(line => line.StartsWith(name + "{", StringComparison.Ordinal) && line.Contains($"agent=\"{Agent}\"", StringComparison.Ordinal)
                       && (label is null || line.Contains(label, StringComparison.Ordinal)))
        .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));

    private static DateTimeOffset Time(JsonNode? node) => DateTimeOffset.Parse(node!.ToString(), CultureInfo.InvariantCulture);

    private static string Clock(JsonNode? node) => node is null ? "?" : Time(node).ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    private static string Number(JsonNode? node) => node is null ? "n/a" : node.GetValue<double>().ToString("0.####", CultureInfo.InvariantCulture);
}
