// Rule simulation: how often do `with N% confidence` rules roll back a healthy canary, and how many
// canary requests do they need to catch a bad one? Seeded, so every run prints the same figures.
using System.Diagnostics;
using System.Globalization;
using Rollgate.Bench.RuleSimulation;
using Rollgate.Rules.Statistics;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

const int Canaries = 1000;
const int Seconds = 30 * 60;
const int TotalRps = 200;
const double CanaryShare = 0.05;
const ulong Seed = 20_250_101;
const int Min = 20;
const int MeanSeconds = 10 * 60; // per-request draws are the slow part; skew bites in the first minutes

var clock = Stopwatch.StartNew();
var rows = new List<Row>();
// `drift` runs only the drift scenarios (section d), which simulate a week per stable.
var driftOnly = args.Contains("drift");
if (!driftOnly)
{

// ---- a. A/A: both versions at 2% errors, `rollback when error_rate > 1.5x baseline ...` ----
static bool Relative(Counts c) => c.Sn >= Min && c.Bn >= Min && c.Se * (double)c.Bn > 1.5 * c.Be * c.Sn;
static bool Confident(Counts c) => Relative(c)
    && ProportionSequentialTest.GreaterThanRatio(c.Sn, c.Se, c.Bn, c.Be, 1.5, 0.99).Significant;
static bool Above5Percent(Counts c) => c.Sn >= Min && c.Se > 0.05 * c.Sn;

RateRule[] aaRules =
[
    new("error_rate > 1.5x baseline with 99% confidence (cumulative)", 0, Confident),
    new("error_rate > 1.5x baseline over 10m with 99% confidence", 600, Confident),
    new("error_rate > 1.5x baseline over 1m with 99% confidence", 60, Confident),
    new("error_rate > 1.5x baseline (no confidence, default over 1m)", 60, Relative),
    new("error_rate > 1.5x baseline (no confidence, cumulative)", 0, Relative),
    new("error_rate > 5% min 20 requests (cumulative)", 0, Above5Percent),
];
var aa = SimulateRates(aaRules, stableRate: 0.02, canaryRate: 0.02, salt: 1);
rows.Add(Row.Rate("A/A 2% vs 2%, 30 min: " + aaRules[0].Name, aa[0], "<= 1%", 0.01));
rows.Add(Row.Rate("A/A 2% vs 2%, 30 min: " + aaRules[1].Name, aa[1], "<= 1%", 0.01));
for (var i = 2; i < aaRules.Length; i++)
{
    rows.Add(Row.Rate("A/A 2% vs 2%, 30 min: " + aaRules[i].Name, aa[i], "info", null));
}

// The strictest check of the type-I claim: the canary sits exactly on each rule's null boundary.
static bool ConfidentAboveBaseline(Counts c) => c.Sn >= Min && c.Bn >= Min && c.Se * (double)c.Bn > c.Be * c.Sn
    && ProportionSequentialTest.GreaterThanRatio(c.Sn, c.Se, c.Bn, c.Be, 1, 0.99).Significant;
RateRule[] boundaryAbove =
[
    new("error_rate > baseline with 99% confidence (cumulative)", 0, ConfidentAboveBaseline),
    new("error_rate > baseline over 10m with 99% confidence", 600, ConfidentAboveBaseline),
];
var aaAbove = SimulateRates(boundaryAbove, stableRate: 0.02, canaryRate: 0.02, salt: 7);
rows.Add(Row.Rate("A/A 2% vs 2%, 30 min: " + boundaryAbove[0].Name, aaAbove[0], "<= 1%", 0.01));
rows.Add(Row.Rate("A/A 2% vs 2%, 30 min: " + boundaryAbove[1].Name, aaAbove[1], "<= 1%", 0.01));
RateRule[] boundary15 =
[
    new("error_rate > 1.5x baseline with 99% confidence (cumulative)", 0, Confident),
    new("error_rate > 1.5x baseline over 10m with 99% confidence", 600, Confident),
];
var onBoundary = SimulateRates(boundary15, stableRate: 0.02, canaryRate: 0.03, salt: 8);
rows.Add(Row.Rate("Boundary 2% vs 3% (= 1.5x), 30 min: " + boundary15[0].Name, onBoundary[0], "<= 1%", 0.01));
rows.Add(Row.Rate("Boundary 2% vs 3% (= 1.5x), 30 min: " + boundary15[1].Name, onBoundary[1], "<= 1%", 0.01));
var onBoundaryHalf = SimulateRates(boundary15[..1], stableRate: 0.02, canaryRate: 0.03, salt: 12, canaryShare: 0.5);
rows.Add(Row.Rate("Boundary 2% vs 3% (= 1.5x), canary at 50%, 30 min: " + boundary15[0].Name, onBoundaryHalf[0], "<= 1%", 0.01));

// Mirrored direction (task completion drops), on its boundary too: canary completes exactly 0.9 × stable.
static bool ConfidentBelow(Counts c, double k) => c.Sn >= Min && c.Bn >= Min && c.Se * (double)c.Bn < k * c.Be * c.Sn
    && ProportionSequentialTest.LessThanRatio(c.Sn, c.Se, c.Bn, c.Be, k, 0.99).Significant;
RateRule[] completionDrop = [new("task_completion_rate < 0.9x baseline with 99% confidence (cumulative)", 0, c => ConfidentBelow(c, 0.9))];
var drop = SimulateRates(completionDrop, stableRate: 0.90, canaryRate: 0.81, salt: 10);
rows.Add(Row.Rate("Boundary 90% vs 81% (= 0.9x), 30 min: " + completionDrop[0].Name, drop[0], "<= 1%", 0.01));
RateRule[] lowRateDrop = [new("error_rate < 0.5x baseline with 99% confidence (cumulative)", 0, c => ConfidentBelow(c, 0.5))];
var lowDrop = SimulateRates(lowRateDrop, stableRate: 0.02, canaryRate: 0.01, salt: 11);
rows.Add(Row.Rate("Boundary 2% vs 1% (= 0.5x), 30 min: " + lowRateDrop[0].Name, lowDrop[0], "<= 1%", 0.01));

// ---- b. Detection: stable 1.2%, canary 8.4% (the rule language's example) ----
RateRule[] detectRules =
[
    new("error_rate > 1.5x baseline with 99% confidence (cumulative)", 0, Confident),
    new("error_rate > 5% min 20 requests (cumulative)", 0, Above5Percent),
];
var detect = SimulateRates(detectRules, stableRate: 0.012, canaryRate: 0.084, salt: 2);
rows.Add(Row.Requests("Detect 1.2% -> 8.4%: " + detectRules[0].Name, detect[0], "median < 300", 300));
rows.Add(Row.Requests("Detect 1.2% -> 8.4%: " + detectRules[1].Name, detect[1], "info", null));

// ---- c. The other tests at their null boundary, where a test is closest to a false positive ----
var exceedNull = SimulateExceedance(trueFraction: 0.05, salt: 3);
rows.Add(Row.Rate("p95 exceedance test, true share above threshold = 5% (boundary), 99%", exceedNull, "<= 1%", 0.01));
var exceedBad = SimulateExceedance(trueFraction: 0.15, salt: 4);
rows.Add(Row.Requests("p95 exceedance test, true share above threshold = 15%, 99%", exceedBad, "info", null));
var meanUp = SimulateMeans(subjectScale: 1.5, ratio: 1.5, greater: true, salt: 5);
rows.Add(Row.Rate("cost_per_request > 1.5x baseline, lognormal sd 1, true ratio 1.5 (boundary), 10 min, 99%", meanUp, "<= 1%", 0.01));
var meanDown = SimulateMeans(subjectScale: 0.5, ratio: 0.5, greater: false, salt: 6);
rows.Add(Row.Rate("cost_per_request < 0.5x baseline, lognormal sd 1, true ratio 0.5 (boundary), 10 min, 99%", meanDown, "<= 1%", 0.01));
var meanBad = SimulateMeans(subjectScale: 3, ratio: 1.5, greater: true, salt: 9);
rows.Add(Row.Requests("cost_per_request > 1.5x baseline, lognormal sd 1, true ratio 3, 99%", meanBad, "info", null));

}

// ---- d. Drift: a stable against its own previous 24h, checked every second; judge scores 0 or 1 (the widest spread) ----
const int Week = 7 * 24 * 3600;
const string Drift1h = "quality_score drops by 10% against previous 24h over 1h with 99% confidence";
const string Drift10m = "quality_score drops by 10% against previous 24h over 10m with 99% confidence";
var quiet = DriftSimulation.Simulate(Canaries, rps: 2, window: 3600, _ => 0.84, Week, drop: 0.10, seed: Seed ^ 13);
rows.Add(Row.Rate("A/A drift, stable at 0.84, 2 req/s, 5% judged, a week of per-second checks: " + Drift1h, new Outcome(quiet), "<= 1%", 0.01));
var quiet10m = DriftSimulation.Simulate(Canaries, rps: 2, window: 600, _ => 0.84, Week, drop: 0.10, seed: Seed ^ 14);
rows.Add(Row.Rate("A/A drift, stable at 0.84, 2 req/s, 5% judged, a week of per-second checks: " + Drift10m, new Outcome(quiet10m), "<= 1%", 0.01));
var plain10m = DriftSimulation.Simulate(Canaries, rps: 2, window: 600, _ => 0.84, Week, drop: 0.10, seed: Seed ^ 15, withConfidence: false);
rows.Add(Row.Rate("A/A drift, the same without confidence: quality_score drops by 10% against previous 24h over 10m", new Outcome(plain10m), "info", null));
var step = DriftSimulation.FirstCheck;
// The hardest null: the stable steps down by exactly the rule's 10% (0.84 -> 0.756) and stays there for a day.
var boundary = DriftSimulation.Simulate(Canaries, rps: 20, window: 3600, t => t < step ? 0.84 : 0.756, 24 * 3600, drop: 0.10, seed: Seed ^ 18, stepAt: step);
rows.Add(Row.Rate("Drift boundary 0.84 -> 0.756 (= 0.9x), 20 req/s, a day of per-second checks: " + Drift1h, new Outcome(boundary), "<= 1%", 0.01));
var stepped = DriftSimulation.Simulate(Canaries, rps: 20, window: 3600, t => t < step ? 0.84 : 0.71, 6 * 3600, drop: 0.10, seed: Seed ^ 16, stepAt: step);
rows.Add(Row.Requests("Drift 0.84 -> 0.71, 20 req/s, 5% judged, requests after the step: " + Drift1h, new Outcome(stepped), "info", null));
var stepped10m = DriftSimulation.Simulate(Canaries, rps: 20, window: 600, t => t < step ? 0.84 : 0.71, 6 * 3600, drop: 0.10, seed: Seed ^ 17, stepAt: step);
rows.Add(Row.Requests("Drift 0.84 -> 0.71, 20 req/s, 5% judged, requests after the step: " + Drift10m, new Outcome(stepped10m), "info", null));

Print(rows, clock.Elapsed);
return rows.Any(r => r.Pass == false) ? 1 : 0;

// Per-second traffic for one canary and a cumulative or trailing-window evaluation of every rule.
static Outcome[] SimulateRates(RateRule[] rules, double stableRate, double canaryRate, ulong salt, double canaryShare = CanaryShare)
{
    var fireAt = new long[rules.Length][];
    for (var r = 0; r < rules.Length; r++)
    {
        fireAt[r] = new long[Canaries];
    }

    Parallel.For(0, Canaries, i =>
    {
        var rng = new Rng(Seed ^ (salt << 40) ^ (ulong)i * 0x9E3779B97F4A7C15UL);
        var prefix = new Counts[Seconds]; // running totals, so any window is one subtraction
        var fired = new long[rules.Length];
        Array.Fill(fired, -1);
        var remaining = rules.Length;
        long canaryRequests = 0;
        for (var t = 0; t < Seconds && remaining > 0; t++)
        {
            var sn = rng.Binomial(TotalRps, canaryShare);
            var bn = TotalRps - sn;
            var previous = t == 0 ? default : prefix[t - 1];
            prefix[t] = new Counts(
                previous.Sn + sn, previous.Se + rng.Binomial(sn, canaryRate),
                previous.Bn + bn, previous.Be + rng.Binomial(bn, stableRate));
            canaryRequests += sn;
            for (var r = 0; r < rules.Length; r++)
            {
                if (fired[r] < 0 && rules[r].Fires(Window(prefix, t, rules[r].WindowSeconds)))
                {
                    fired[r] = canaryRequests;
                    remaining--;
                }
            }
        }

        for (var r = 0; r < rules.Length; r++)
        {
            fireAt[r][i] = fired[r];
        }
    });

    return fireAt.Select(f => new Outcome(f)).ToArray();
}

static Counts Window(Counts[] prefix, int now, int windowSeconds)
{
    var before = windowSeconds == 0 || now < windowSeconds ? default : prefix[now - windowSeconds];
    var total = prefix[now];
    return new Counts(total.Sn - before.Sn, total.Se - before.Se, total.Bn - before.Bn, total.Be - before.Be);
}

// Canary requests, each above the (fixed) threshold with probability trueFraction; rule: share above > 5%.
static Outcome SimulateExceedance(double trueFraction, ulong salt)
{
    var fireAt = new long[Canaries];
    Parallel.For(0, Canaries, i =>
    {
        var rng = new Rng(Seed ^ (salt << 40) ^ (ulong)i * 0x9E3779B97F4A7C15UL);
        long n = 0, above = 0;
        fireAt[i] = -1;
        for (var t = 0; t < Seconds; t++)
        {
            var sn = rng.Binomial(TotalRps, CanaryShare);
            n += sn;
            above += rng.Binomial(sn, trueFraction);
            // As the evaluator does: the observed condition first, the test only when it holds.
            if (n >= Min && above > 0.05 * n && ExceedanceSequentialTest.Exceeds(n, above, 0.05, 0.99).Significant)
            {
                fireAt[i] = n;
                break;
            }
        }
    });
    return new Outcome(fireAt);
}

// Per-request cost ~ lognormal(0, 1), the subject's scaled so its mean sits exactly on the rule's boundary.
static Outcome SimulateMeans(double subjectScale, double ratio, bool greater, ulong salt, int seconds = MeanSeconds)
{
    var fireAt = new long[Canaries];
    Parallel.For(0, Canaries, i =>
    {
        var rng = new Rng(Seed ^ (salt << 40) ^ (ulong)i * 0x9E3779B97F4A7C15UL);
        MeanSummary subject = default, baseline = default;
        fireAt[i] = -1;
        for (var t = 0; t < seconds; t++)
        {
            var sn = rng.Binomial(TotalRps, CanaryShare);
            for (var k = 0; k < TotalRps; k += 2)
            {
                var (z1, z2) = rng.NormalPair();
                Record(k, z1);
                Record(k + 1, z2);
            }

            var observed = greater ? subject.Mean > ratio * baseline.Mean : subject.Mean < ratio * baseline.Mean;
            if (subject.Count < Min || !observed)
            {
                continue;
            }

            void Record(int k, double z)
            {
                if (k < sn)
                {
                    subject = subject.Add(subjectScale * Math.Exp(z));
                }
                else
                {
                    baseline = baseline.Add(Math.Exp(z));
                }
            }

            var result = greater
                ? MeanSequentialTest.GreaterThanRatio(subject, baseline, ratio, 0.99)
                : MeanSequentialTest.LessThanRatio(subject, baseline, ratio, 0.99);
            if (result.Significant)
            {
                fireAt[i] = subject.Count;
                break;
            }
        }
    });
    return new Outcome(fireAt);
}

static void Print(List<Row> rows, TimeSpan elapsed)
{
    Console.WriteLine($"Rollgate rule simulation: {Canaries} canaries per scenario, {Seconds / 60} simulated minutes, "
        + $"{TotalRps} req/s with {CanaryShare:P0} to the canary, rules evaluated every simulated second, min {Min} requests, seed {Seed}");
    Console.WriteLine();
    var width = rows.Max(r => r.Scenario.Length);
    Console.WriteLine($"{"Scenario".PadRight(width)}  {"Figure",-44}  {"Target",-13}  Result");
    Console.WriteLine(new string('-', width + 2 + 44 + 2 + 13 + 2 + 6));
    foreach (var row in rows)
    {
        var result = row.Pass switch { true => "PASS", false => "FAIL", null => "-" };
        Console.WriteLine($"{row.Scenario.PadRight(width)}  {row.Figure,-44}  {row.Target,-13}  {result}");
    }

    Console.WriteLine();
    Console.WriteLine($"Finished in {elapsed.TotalSeconds:F1} s.");
}

internal readonly record struct Counts(long Sn, long Se, long Bn, long Be);

internal sealed record RateRule(string Name, int WindowSeconds, Func<Counts, bool> Fires);

/// <summary>For each simulated canary, the canary requests seen when the rule fired, or −1 if it never did.</summary>
internal sealed class Outcome(long[] fireAt)
{
    public int Fired => fireAt.Count(f => f >= 0);

    public double FiredShare => (double)Fired / fireAt.Length;

    public int Total => fireAt.Length;

    /// <summary>Nearest-rank quantile of requests-to-fire over the canaries that fired.</summary>
    public long Quantile(double q)
    {
        var fired = fireAt.Where(f => f >= 0).Order().ToArray();
        return fired.Length == 0 ? -1 : fired[Math.Max(0, (int)Math.Ceiling(q * fired.Length) - 1)];
    }
}

internal sealed record Row(string Scenario, string Figure, string Target, bool? Pass)
{
    public static Row Rate(string scenario, Outcome outcome, string target, double? limit) => new(
        scenario,
        $"false rollbacks {outcome.Fired}/{outcome.Total} = {outcome.FiredShare:P1}",
        target,
        limit is { } l ? outcome.FiredShare <= l : null);

    public static Row Requests(string scenario, Outcome outcome, string target, long? medianLimit) => new(
        scenario,
        $"median {outcome.Quantile(0.5)}, p90 {outcome.Quantile(0.9)}, max {outcome.Quantile(1)} req"
            + (outcome.Fired < outcome.Total ? $" ({outcome.Total - outcome.Fired} never)" : ""),
        target,
        medianLimit is { } m ? outcome.Fired == outcome.Total && outcome.Quantile(0.5) < m : null);
}
