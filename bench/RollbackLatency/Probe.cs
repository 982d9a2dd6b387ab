using System.Diagnostics;

namespace Rollgate.Bench.RollbackLatency;

/// <summary>
/// Sends requests to one replica's proxy back to back (one in flight, one keep-alive connection) and timestamps the
/// first response served by an awaited version. The switch to that version happened on the replica after the previous
/// probe's routing decision (so after <see cref="Hit.PreviousSent"/>) and before this probe's (so before
/// <see cref="Hit.Received"/>): <c>Received</c> is a conservative (late) estimate, <c>Received − PreviousSent</c> its resolution.
/// </summary>
internal sealed class Probe : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly string _agent;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private Watch? _watch;
    private long _requests;
    private long _failures;

    public Probe(HttpClient client, string agent)
    {
        _client = client;
        _agent = agent;
        _loop = Task.Run(LoopAsync);
    }

    public long Requests => Interlocked.Read(ref _requests);
    public long Failures => Interlocked.Read(ref _failures);

    public readonly record struct Hit(long PreviousSent, long Sent, long Received);

    private sealed class Watch(int version)
    {
        public int Version { get; } = version;
        public TaskCompletionSource<Hit> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Arms the probe: the returned task completes with the first response served by <paramref name="version"/>.</summary>
    public Task<Hit> WaitForVersion(int version)
    {
        var watch = new Watch(version);
        Volatile.Write(ref _watch, watch);
        return watch.Done.Task;
    }

    private async Task LoopAsync()
    {
        var previousSent = Stopwatch.GetTimestamp();
        while (!_stop.IsCancellationRequested)
        {
            var sent = Stopwatch.GetTimestamp();
            int? version;
            try
            {
                version = await Gateway.ServedByAsync(_client, _agent);
            }
            catch (Exception) when (!_stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _failures);
                await Task.Delay(1);
                continue;
            }
            catch (Exception)
            {
                return;
            }

            var received = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref _requests);
            var watch = Volatile.Read(ref _watch);
            if (watch is not null && version == watch.Version)
            {
                Interlocked.CompareExchange(ref _watch, null, watch);
                watch.Done.TrySetResult(new Hit(previousSent, sent, received));
            }

            previousSent = sent;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
    }
}
