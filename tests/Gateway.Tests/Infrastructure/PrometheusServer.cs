using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Rollgate.Tests.Infrastructure;

/// <summary>
/// A real Prometheus (Debian's <c>prometheus</c> package) on a free loopback port with its own temp directory, scraping
/// the given targets every second as job <c>rollgate</c> and evaluating the given rule files every second. Killed and
/// its directory deleted on dispose.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    public static readonly TimeSpan ScrapeInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StartDeadline = TimeSpan.FromSeconds(30);
    // Servers still running when the test host exits (a crashed or aborted run) are killed rather than orphaned.
    private static readonly ConcurrentDictionary<Process, byte> Running = new();

    static PrometheusServer() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
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

    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output;

    private PrometheusServer(Process process, string directory, StringBuilder output, int port)
    {
        _process = process;
        _directory = directory;
        _output = output;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Http { get; }

    /// <summary>Starts Prometheus scraping <paramref name="targets"/> (host:port of /metrics) and loading <paramref name="ruleFiles"/>.</summary>
    public static async Task<PrometheusServer> StartAsync(IEnumerable<string> targets, IEnumerable<string> ruleFiles)
    {
        var executable = Executables.Require("prometheus", "prometheus");
        var directory = Path.Combine(Path.GetTempPath(), "rollgate-prometheus-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var seconds = $"{ScrapeInterval.TotalSeconds:0}s";
        var config = $"""
            global:
              scrape_interval: {seconds}
              scrape_timeout: {seconds}
              evaluation_interval: {seconds}
            rule_files: [{string.Join(", ", ruleFiles.Select(Quoted))}]
            scrape_configs:
              - job_name: rollgate
                metrics_path: /metrics
                static_configs:
                  - targets: [{string.Join(", ", targets.Select(Quoted))}]
            """;
        await File.WriteAllTextAsync(Path.Combine(directory, "prometheus.yml"), config);

        // The OS may hand the free port to someone else before Prometheus binds it: retry with a new one.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort.Get();
            var output = new StringBuilder();
            var start = new ProcessStartInfo(executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[]
                     {
                         $"--config.file={Path.Combine(directory, "prometheus.yml")}",
                         $"--storage.tsdb.path={Path.Combine(directory, "data")}",
                         $"--web.listen-address=127.0.0.1:{port}",
                         "--log.level=warn",
                     })
            {
                start.ArgumentList.Add(argument);
            }

            var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) => Capture(output, e.Data);
            process.ErrorDataReceived += (_, e) => Capture(output, e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            Running[process] = 0;
            var server = new PrometheusServer(process, directory, output, port);
            if (await server.WaitUntilReadyAsync())
            {
                return server;
            }

            var failure = server.Output();
            await server.StopAsync();
            if (attempt >= 3)
            {
                Directory.Delete(directory, recursive: true);
                throw new InvalidOperationException($"prometheus did not become ready on port {port}: {failure}");
            }
        }
    }

    /// <summary>An instant query at the current time, as a Grafana panel marked "instant" sends it.</summary>
    public Task<PrometheusAnswer> QueryAsync(string promql)
        => AskAsync($"/api/v1/query?query={Uri.EscapeDataString(promql)}");

    /// <summary>A range query with a step, as a Grafana time series panel sends it.</summary>
    public Task<PrometheusAnswer> QueryRangeAsync(string promql, DateTimeOffset start, DateTimeOffset end, TimeSpan step)
        => AskAsync($"/api/v1/query_range?query={Uri.EscapeDataString(promql)}&start={Unix(start)}&end={Unix(end)}&step={step.TotalSeconds.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>The values of <paramref name="label"/> over the series <paramref name="match"/> selects (Grafana's <c>label_values</c>).</summary>
    public async Task<string[]> LabelValuesAsync(string label, string match)
    {
        var answer = await Http.GetFromJsonAsync<JsonObject>($"/api/v1/label/{label}/values?match[]={Uri.EscapeDataString(match)}");
        return [.. answer!["data"]!.AsArray().Select(v => v!.GetValue<string>())];
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private async Task<PrometheusAnswer> AskAsync(string pathAndQuery)
    {
        using var response = await Http.GetAsync(pathAndQuery);
        var body = await response.Content.ReadFromJsonAsync<JsonObject>();
        if (body?["status"]?.GetValue<string>() != "success")
        {
            return new PrometheusAnswer(false, $"{(int)response.StatusCode} {body?["errorType"]}: {body?["error"]}", []);
        }

        return new PrometheusAnswer(true, null, body["data"]!["result"]!.AsArray());
    }

    /// <summary>Polls <c>/-/ready</c> until it answers 2xx; false when the process exits or the deadline passes.</summary>
    private async Task<bool> WaitUntilReadyAsync() => await Eventually.WithinAsync(async () =>
    {
        if (_process.HasExited)
        {
            return true; // nothing to wait for: the caller sees it exited
        }

        try
        {
            using var response = await Http.GetAsync("/-/ready");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }, StartDeadline) && !_process.HasExited;

    private async Task StopAsync()
    {
        Http.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }

            await _process.WaitForExitAsync();
        }
        finally
        {
            Running.TryRemove(_process, out _);
            _process.Dispose();
        }
    }

    private static string Quoted(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static string Unix(DateTimeOffset time) => (time.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);

    private static void Capture(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            if (output.Length < 16_000)
            {
                output.AppendLine(line);
            }
        }
    }
}

/// <summary>What Prometheus answered to a query: refused (with its error) or a result of vector or matrix samples.</summary>
public sealed record PrometheusAnswer(bool Accepted, string? Error, JsonArray Result)
{
    /// <summary>At least one sample that is a number (a ratio of two zero rates is NaN: no data to a panel).</summary>
    public bool HasData => Result.Any(series => Samples(series!).Any(value => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)));

    private static IEnumerable<string> Samples(JsonNode series)
        => series["values"] is JsonArray values
            ? values.Select(pair => pair![1]!.GetValue<string>())
            : series["value"] is JsonArray value ? [value[1]!.GetValue<string>()] : [];
}
