using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Rollgate.Stores.Redis;

/// <summary>
/// Tells watchers which agents changed. Pub/sub is fast but at-most-once (messages published while this
/// replica is disconnected are lost), so two safety nets back it: after every reconnect all agents are reported
/// (watchers re-read them), and a poller compares each agent's generation and version count with what it last saw.
/// Each poll also reads the store's epoch and hands it to the watchers: a new epoch means Redis lost its data, and
/// every agent is reported again. Started by the first watcher; stopped when the store is disposed.
/// </summary>
internal sealed partial class RedisChangeFeed : IAsyncDisposable
{
    private readonly ConnectionMultiplexer _connection;
    private readonly RedisKeys _keys;
    private readonly TimeProvider _time;
    private readonly TimeSpan _pollInterval;
    private readonly Func<Task<string>> _readEpoch;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _pollGate = new(1, 1);
    private readonly Lock _watchersLock = new();
    // Copy-on-write, so a dispatch never holds a lock while calling out.
    private Watcher[] _watchers = [];
    // Only touched under _pollGate.
    private readonly Dictionary<string, (long Generation, long Versions)> _lastSeen = new(StringComparer.Ordinal);
    private string? _epoch;
    private int _started;
    private long _resyncRequested;
    private long _resyncDone;
    private ITimer? _timer;

    /// <param name="readEpoch">Reads (or creates) the store's epoch.</param>
    public RedisChangeFeed(ConnectionMultiplexer connection, RedisKeys keys, TimeProvider time, TimeSpan pollInterval, Func<Task<string>> readEpoch, ILogger logger)
    {
        _connection = connection;
        _keys = keys;
        _time = time;
        _pollInterval = pollInterval;
        _readEpoch = readEpoch;
        _logger = logger;
    }

    public IDisposable Add(Action<string> onChange, Action<string>? onEpoch)
    {
        ArgumentNullException.ThrowIfNull(onChange);
        var watcher = new Watcher(onChange, onEpoch);
        lock (_watchersLock)
        {
            _watchers = [.. _watchers, watcher];
        }

        Start();
        return new Unsubscriber(() =>
        {
            lock (_watchersLock)
            {
                _watchers = [.. _watchers.Where(w => !ReferenceEquals(w, watcher))];
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _connection.ConnectionRestored -= OnConnectionRestored;
        if (_timer is not null)
        {
            await _timer.DisposeAsync();
        }

        try
        {
            await _connection.GetSubscriber().UnsubscribeAsync(_keys.Changes, null, CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
        {
            // Closing the connection drops the subscription anyway.
        }
    }

    private void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            return;
        }

        _connection.ConnectionRestored += OnConnectionRestored;
        _ = SubscribeAsync();
        // The first poll runs at once: every agent is "unseen", so watchers get one re-read of all of them, which
        // also covers changes made before the subscription above was in place.
        _timer = _time.CreateTimer(_ => _ = PollAsync(wait: false), null, TimeSpan.Zero, _pollInterval);
    }

    private async Task SubscribeAsync()
    {
        try
        {
            await _connection.GetSubscriber().SubscribeAsync(_keys.Changes, (_, message) =>
            {
                if (!message.IsNullOrEmpty)
                {
                    Dispatch(null, [message.ToString()]);
                }
            });
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The library registers the handler before it talks to Redis and re-subscribes on every reconnect, so
            // this is not retried (a retry would register the handler twice). Until then the poller reports changes.
            LogSubscribeFailed(_logger, ex, _keys.ChangesName);
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        Interlocked.Increment(ref _resyncRequested);
        _ = ResyncAsync();
    }

    /// <summary>After a reconnect: report every agent, retrying until one poll gets through.</summary>
    private async Task ResyncAsync()
    {
        while (!_stopping.IsCancellationRequested && Interlocked.Read(ref _resyncDone) < Interlocked.Read(ref _resyncRequested))
        {
            if (await PollAsync(wait: true))
            {
                return;
            }

            await DelayAsync();
        }
    }

    /// <returns><c>false</c> when Redis could not be read (or a poll was already running and <paramref name="wait"/> is false).</returns>
    private async Task<bool> PollAsync(bool wait)
    {
        if (_stopping.IsCancellationRequested)
        {
            return false;
        }

        try
        {
            if (wait)
            {
                await _pollGate.WaitAsync(_stopping.Token);
            }
            else if (!_pollGate.Wait(0))
            {
                return false; // the previous tick is still running (Redis slow or down)
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }

        List<string> changed;
        string epoch;
        try
        {
            var resyncTarget = Interlocked.Read(ref _resyncRequested);
            var resync = Interlocked.Read(ref _resyncDone) < resyncTarget;
            // Read first: agents listed after it belong to this epoch or a later one, which the next poll reports.
            epoch = await _readEpoch();
            var reset = _epoch is not null && _epoch != epoch;
            _epoch = epoch;
            if (reset)
            {
                _lastSeen.Clear();
            }

            var db = _connection.GetDatabase();
            var agents = (await db.SetMembersAsync(_keys.Agents)).Select(a => a.ToString()).ToArray();
            var generations = agents.Select(a => db.HashGetAsync(_keys.State(a), "generation")).ToArray();
            var versionCounts = agents.Select(a => db.HashLengthAsync(_keys.Versions(a))).ToArray();
            await Task.WhenAll(generations.Concat<Task>(versionCounts));

            changed = [];
            for (var i = 0; i < agents.Length; i++)
            {
                var seen = (Generation: generations[i].Result.IsNull ? 0 : (long)generations[i].Result, Versions: versionCounts[i].Result);
                if (resync || reset || !_lastSeen.TryGetValue(agents[i], out var last) || last != seen)
                {
                    _lastSeen[agents[i]] = seen;
                    changed.Add(agents[i]);
                }
            }

            if (resync)
            {
                InterlockedMax(ref _resyncDone, resyncTarget);
            }
        }
        catch (Exception ex)
        {
            // Never let the safety net take the process down: Redis down is expected, anything else is logged louder.
            if (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                LogPollFailed(_logger, ex);
            }
            else
            {
                LogPollFailedUnexpectedly(_logger, ex);
            }

            return false;
        }
        finally
        {
            _pollGate.Release();
        }

        Dispatch(epoch, changed);
        return true;
    }

    /// <summary>The epoch first (a watcher that sees a new one reloads everything), then the agents.</summary>
    private void Dispatch(string? epoch, IEnumerable<string> agents)
    {
        var watchers = Volatile.Read(ref _watchers);
        if (epoch is not null)
        {
            foreach (var watcher in watchers)
            {
                try
                {
                    watcher.OnEpoch?.Invoke(epoch);
                }
                catch (Exception ex)
                {
                    LogEpochWatcherFailed(_logger, ex, epoch);
                }
            }
        }

        foreach (var agent in agents)
        {
            foreach (var watcher in watchers)
            {
                try
                {
                    watcher.OnChange(agent);
                }
                catch (Exception ex)
                {
                    // One failing watcher must not starve the others or kill the subscription.
                    LogWatcherFailed(_logger, ex, agent);
                }
            }
        }
    }

    private sealed record Watcher(Action<string> OnChange, Action<string>? OnEpoch);

    private async Task DelayAsync()
    {
        try
        {
            await Task.Delay(_pollInterval < TimeSpan.FromSeconds(1) ? _pollInterval : TimeSpan.FromSeconds(1), _time, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (current < value)
        {
            var previous = Interlocked.CompareExchange(ref target, value, current);
            if (previous == current)
            {
                return;
            }

            current = previous;
        }
    }

    [LoggerMessage(410, LogLevel.Warning, "Subscribing to {Channel} failed; it is retried when Redis is reachable again")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception, string channel);

    [LoggerMessage(411, LogLevel.Debug, "Polling Redis for changes failed; routing continues on the last state")]
    private static partial void LogPollFailed(ILogger logger, Exception exception);

    [LoggerMessage(412, LogLevel.Warning, "Polling Redis for changes failed unexpectedly")]
    private static partial void LogPollFailedUnexpectedly(ILogger logger, Exception exception);

    [LoggerMessage(413, LogLevel.Error, "A store watcher failed for epoch {Epoch}")]
    private static partial void LogEpochWatcherFailed(ILogger logger, Exception exception, string epoch);

    [LoggerMessage(414, LogLevel.Error, "A store watcher failed for agent {Agent}")]
    private static partial void LogWatcherFailed(ILogger logger, Exception exception, string agent);
}
