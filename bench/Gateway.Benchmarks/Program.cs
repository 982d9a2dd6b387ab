// Per-request allocation of the gateway's routing and signal code (target: signals add under 512 bytes per request), and
// the time of a managed agent's request rewrite (target: under 20 µs for a 2 KB chat request).
//
//   dotnet Gateway.Benchmarks.dll [--job short|medium|default] [--filter PATTERN] [any BenchmarkDotNet option]
//
// Runs in-process (no generated project to build) with the memory diagnoser, then prints the bytes that signals add
// per request: middleware "signals on" minus "signals off" (per AsyncBackend), and the component split.
// Exit status: 0 when every delta is under the target, 1 otherwise. See bench/allocations.sh.

using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Rollgate.Benchmarks;

const double TargetBytes = 512;

var jobName = "short";
var rest = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    if (args[i] is "--job" or "-j" && i + 1 < args.Length)
    {
        jobName = args[++i];
    }
    else
    {
        rest.Add(args[i]);
    }
}

var job = jobName.ToLowerInvariant() switch
{
    "short" => Job.ShortRun,
    "medium" => Job.MediumRun,
    "default" => Job.Default,
    "dry" => Job.Dry,
    _ => throw new ArgumentException($"--job must be short, medium, default or dry (got '{jobName}')"),
};
var config = DefaultConfig.Instance
    .AddJob(job.WithToolchain(InProcessEmitToolchain.Instance))
    .WithOptions(ConfigOptions.JoinSummary | ConfigOptions.DisableLogFile);
if (!rest.Contains("--filter"))
{
    rest.AddRange(["--filter", "*"]);
}

var summaries = BenchmarkSwitcher.FromTypes([typeof(MiddlewareBenchmarks), typeof(ComponentBenchmarks), typeof(SignalPartsBenchmarks), typeof(TransformBenchmarks),
    typeof(ManagedRewriteBenchmarks), typeof(JudgeSamplingBenchmarks)]).Run(rest.ToArray(), config).ToArray();
var reports = summaries.SelectMany(s => s.Reports).Where(r => r.Success).ToArray();

long? Bytes(string type, string method, bool? asyncBackend = null)
{
    var report = reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.Type.Name == type
        && r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method
        && (asyncBackend is null || r.BenchmarkCase.Parameters.Items.Any(p => p.Name == "AsyncBackend" && (bool)p.Value == asyncBackend)));
    return report?.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
}

var failed = false;
var judged = 0;
Console.WriteLine();
Console.WriteLine("== allocated bytes per request: signals on minus signals off (target < 512 B) ==");
void Delta(string label, long? on, long? off, bool judge = true)
{
    if (on is null || off is null)
    {
        Console.WriteLine($"{label,-58} not measured");
        return;
    }

    var delta = on.Value - off.Value;
    var verdict = "";
    if (judge)
    {
        judged++;
        var pass = delta < TargetBytes;
        failed |= !pass;
        verdict = pass ? "PASS" : "FAIL";
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label,-58} on {on,6} B  off {off,6} B  delta {delta,6} B  {verdict}"));
}

foreach (var asyncBackend in new[] { false, true })
{
    Delta($"middleware, forwarder completes {(asyncBackend ? "asynchronously" : "synchronously ")}",
        Bytes(nameof(MiddlewareBenchmarks), nameof(MiddlewareBenchmarks.SignalsOn), asyncBackend),
        Bytes(nameof(MiddlewareBenchmarks), nameof(MiddlewareBenchmarks.SignalsOff), asyncBackend));
}

Delta("components: routing + signal path vs routing",
    Bytes(nameof(ComponentBenchmarks), nameof(ComponentBenchmarks.RoutingAndSignals)),
    Bytes(nameof(ComponentBenchmarks), nameof(ComponentBenchmarks.Routing)));
Delta("components: signal path alone (vs nothing)", Bytes(nameof(ComponentBenchmarks), nameof(ComponentBenchmarks.SignalPath)), 0, judge: false);
Delta("components: version choice alone (vs nothing)", Bytes(nameof(ComponentBenchmarks), nameof(ComponentBenchmarks.Choice)), 0, judge: false);

double? Nanoseconds(string type, string method)
    => reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.Type.Name == type && r.BenchmarkCase.Descriptor.WorkloadMethod.Name == method)
        ?.ResultStatistics?.Mean;

var gatewayTransforms = Nanoseconds(nameof(TransformBenchmarks), nameof(TransformBenchmarks.Gateway));
var minimalTransforms = Nanoseconds(nameof(TransformBenchmarks), nameof(TransformBenchmarks.Minimal));
if (gatewayTransforms is { } g && minimalTransforms is { } m)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"request transforms per request: gateway version route {g:F0} ns, minimal YARP route {m:F0} ns (ratio {g / m:F2})"));
}

const double RewriteTargetNs = 20_000;
var rewrite = Nanoseconds(nameof(ManagedRewriteBenchmarks), nameof(ManagedRewriteBenchmarks.Rewrite));
var rewriteGuarded = Nanoseconds(nameof(ManagedRewriteBenchmarks), nameof(ManagedRewriteBenchmarks.RewriteGuarded));
if (rewrite is { } r && rewriteGuarded is { } rg)
{
    var pass = r < RewriteTargetNs && rg < RewriteTargetNs;
    failed |= !pass;
    judged++;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"managed request rewrite of a 2 KB chat request: {r / 1000:F2} µs ({Bytes(nameof(ManagedRewriteBenchmarks), nameof(ManagedRewriteBenchmarks.Rewrite))} B), " +
        $"with input guardrails {rg / 1000:F2} µs ({Bytes(nameof(ManagedRewriteBenchmarks), nameof(ManagedRewriteBenchmarks.RewriteGuarded))} B); target < 20 µs: {(pass ? "PASS" : "FAIL")}"));
}

if (judged == 0)
{
    if (gatewayTransforms is not null || Nanoseconds(nameof(JudgeSamplingBenchmarks), nameof(JudgeSamplingBenchmarks.Decide)) is not null)
    {
        return 0; // only informative benchmarks were asked for (transforms, judge sampling): nothing to judge
    }

    Console.WriteLine("verdict: nothing judged (filtered out or failed)");
    return 1;
}

Console.WriteLine($"verdict: {(failed ? "FAIL" : "PASS")}");
return failed ? 1 : 0;
