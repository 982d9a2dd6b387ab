using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Rollgate.Demo;

/// <summary>What the client saw from one version (by the <c>X-Rollgate-Version</c> response header).</summary>
public sealed class VersionTally
{
    private long _requests;
    private long _errors;
    private long _failedTasks;

    public long Requests => Interlocked.Read(ref _requests);
    /// <summary>5xx answers and transport failures.</summary>
    public long Errors => Interlocked.Read(ref _errors);
    /// <summary>Answers with <c>X-Rollgate-Outcome: failed</c>.</summary>
    public long FailedTasks => Interlocked.Read(ref _failedTasks);

    public void Add(bool error, bool failedTask)
    {
        Interlocked.Increment(ref _requests);
        if (error)
        {
            Interlocked.Increment(ref _errors);
        }

        if (failedTask)
        {
            Interlocked.Increment(ref _failedTasks);
        }
    }
}

/// <summary>
/// Chat requests through the proxy from a few paced loops, each request from a random session of a fixed pool
/// (<c>X-Session-Id</c>), so the gateway's sticky bucketing puts about canaryPercent of the sessions on the canary.
/// </summary>
public sealed class TrafficDriver(HttpClient proxy, string agent, int loops, double requestsPerSecond, int sessions)
{
    private static readonly string Question = """{"model":"support-bot","messages":[{"role":"user","content":"Where is my order #1234?"}]}""";

    /// <summary>Tallies keyed by version ("1", "2"; "-" when no version answered).</summary>
    public ConcurrentDictionary<string, VersionTally> Seen { get; } = new();

    public VersionTally For(string version) => Seen.GetOrAdd(version, _ => new VersionTally());

    /// <summary>Runs until <paramref name="stop"/>; requests in flight then complete and are counted.</summary>
    public Task RunAsync(CancellationToken stop) => Task.WhenAll(Enumerable.Range(0, loops).Select(_ => Task.Run(() => LoopAsync(stop))));

    /// <summary><paramref name="count"/> requests over every session of the pool, <paramref name="parallel"/> at a time, tallied apart.</summary>
    public async Task<ConcurrentDictionary<string, VersionTally>> BurstAsync(int count, int parallel, CancellationToken cancellationToken)
    {
        var seen = new ConcurrentDictionary<string, VersionTally>();
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken },
            async (i, _) => await SendAsync(i % sessions, seen));
        return seen;
    }

    private async Task LoopAsync(CancellationToken stop)
    {
        var period = TimeSpan.FromSeconds(loops / requestsPerSecond);
        var clock = Stopwatch.StartNew();
        var due = TimeSpan.Zero;
        while (!stop.IsCancellationRequested)
        {
            await SendAsync(Random.Shared.Next(sessions), Seen);
            due += period;
            var wait = due - clock.Elapsed;
            if (wait < -period * 10)
            {
                due = clock.Elapsed; // fell far behind (a slow answer): carry on at the pace, don't burst to catch up
            }
            else if (wait > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(wait, stop);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task SendAsync(int session, ConcurrentDictionary<string, VersionTally> into)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/agents/{agent}/v1/chat/completions")
        {
            Content = new StringContent(Question, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add(RollgateHeaders.SessionId, $"session-{session:D4}");
        try
        {
            using var response = await proxy.SendAsync(request);
            await response.Content.LoadIntoBufferAsync();
            var version = response.Headers.TryGetValues(RollgateHeaders.Version, out var values) ? values.First() : "-";
            var failedTask = response.Headers.TryGetValues(RollgateHeaders.Outcome, out var outcome) && outcome.First() == "failed";
            into.GetOrAdd(version, _ => new VersionTally()).Add(error: (int)response.StatusCode >= 500, failedTask);
        }
        catch (HttpRequestException)
        {
            into.GetOrAdd("-", _ => new VersionTally()).Add(error: true, failedTask: false);
        }
        catch (TaskCanceledException)
        {
            into.GetOrAdd("-", _ => new VersionTally()).Add(error: true, failedTask: false); // client timeout
        }
    }
}
