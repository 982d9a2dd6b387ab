using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Rollgate.Signals;

/// <summary>
/// Moves what the <see cref="SignalRecorder"/> counted into the <see cref="IFigureStore"/>: each call rotates every
/// version's accumulators and adds one <see cref="FigureDelta"/> per (agent, version, second) that saw traffic.
/// Called once a second by <see cref="FigureFlusherService"/>; figures therefore reach the store 1–2 s after the request.
/// </summary>
/// <remarks>
/// When the store fails (Redis down) the deltas are kept and retried on the next call, merged per (agent, version,
/// second), for at most <see cref="FigureFlusherOptions.MaxPendingAge"/> and <see cref="FigureFlusherOptions.MaxPendingDeltas"/>;
/// older ones are dropped and counted in <see cref="DroppedDeltas"/>. Deltas are added per agent, so one agent's
/// failure does not make another's be written twice. A flush never throws except when cancelled.
/// </remarks>
public sealed partial class FigureFlusher
{
    private readonly SignalRecorder _recorder;
    private readonly IFigureStore _store;
    private readonly FigureFlusherOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<(string Agent, int Version, long Second), FigureDelta> _pending = new();
    private long _dropped;
    private long _failures;
    private bool _failing;

    public FigureFlusher(SignalRecorder recorder, IFigureStore store, FigureFlusherOptions? options = null, ILogger<FigureFlusher>? logger = null)
    {
        _recorder = recorder ?? throw new ArgumentNullException(nameof(recorder));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _options = options ?? new FigureFlusherOptions();
        new FigureFlusherOptionsValidator().ThrowIfInvalid(_options);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>How often <see cref="FigureFlusherService"/> calls <see cref="FlushAsync"/>.</summary>
    public TimeSpan Interval => _options.Interval;

    /// <summary>Deltas waiting for the store (non-zero only while it fails).</summary>
    public int PendingDeltas
    {
        get
        {
            lock (_pending)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Deltas given up on because the store failed for longer than the pending limits allow.</summary>
    public long DroppedDeltas => Interlocked.Read(ref _dropped);

    /// <summary>Flushes in which the store failed for at least one agent.</summary>
    public long FailedFlushes => Interlocked.Read(ref _failures);

    /// <summary>One tick: rotate, then add everything pending to the store.</summary>
    public Task FlushAsync(CancellationToken cancellationToken) => RunAsync(rotations: 1, cancellationToken);

    /// <summary>Rotates twice so that everything recorded so far is flushed (at shutdown, or in tests).</summary>
    public Task DrainAsync(CancellationToken cancellationToken) => RunAsync(rotations: 2, cancellationToken);

    private async Task RunAsync(int rotations, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            for (var i = 0; i < rotations; i++)
            {
                Merge(_recorder.Rotate());
            }

            var batches = TakeBatches();
            if (batches.Count == 0)
            {
                return;
            }

            var results = await Task.WhenAll(batches.Select(batch => TryAddAsync(batch, cancellationToken)));
            var failed = results.Where(r => r.Error is not null).ToList();
            lock (_pending)
            {
                foreach (var result in results.Where(r => r.Error is null))
                {
                    foreach (var delta in result.Batch)
                    {
                        _pending.Remove((delta.Agent, delta.Version, delta.UnixSecond));
                    }
                }
            }

            Report(failed);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Merge(List<FigureDelta> deltas)
    {
        lock (_pending)
        {
            foreach (var delta in deltas)
            {
                var key = (delta.Agent, delta.Version, delta.UnixSecond);
                if (_pending.TryGetValue(key, out var existing))
                {
                    existing.Figures.Add(delta.Figures);
                }
                else
                {
                    _pending[key] = delta;
                }
            }

            Prune();
        }
    }

    private void Prune()
    {
        var oldest = _recorder.Time.GetUtcNow().ToUnixTimeSeconds() - (long)_options.MaxPendingAge.TotalSeconds;
        var drop = _pending.Keys.Where(k => k.Second < oldest).ToList();
        var excess = _pending.Count - drop.Count - _options.MaxPendingDeltas;
        if (excess > 0)
        {
            drop.AddRange(_pending.Keys.Where(k => k.Second >= oldest).OrderBy(k => k.Second).Take(excess));
        }

        foreach (var key in drop)
        {
            _pending.Remove(key);
        }

        if (drop.Count > 0)
        {
            Interlocked.Add(ref _dropped, drop.Count);
            LogDropped(_logger, drop.Count, _options.MaxPendingAge, DroppedDeltas);
        }
    }

    private List<List<FigureDelta>> TakeBatches()
    {
        lock (_pending)
        {
            return _pending.Values
                .GroupBy(d => d.Agent, StringComparer.Ordinal)
                .Select(g => g.OrderBy(d => d.UnixSecond).ThenBy(d => d.Version).ToList())
                .ToList();
        }
    }

    private async Task<BatchResult> TryAddAsync(List<FigureDelta> batch, CancellationToken cancellationToken)
    {
        try
        {
            await _store.AddAsync(batch, cancellationToken);
            return new BatchResult(batch, null);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            return new BatchResult(batch, ex);
        }
    }

    private void Report(List<BatchResult> failed)
    {
        if (failed.Count == 0)
        {
            if (_failing)
            {
                _failing = false;
                LogRecovered(_logger);
            }

            return;
        }

        Interlocked.Increment(ref _failures);
        if (!_failing)
        {
            _failing = true;
            LogNotWritten(_logger, failed[0].Error, string.Join(", ", failed.Select(f => f.Batch[0].Agent)), _options.MaxPendingAge);
        }
    }

    private sealed record BatchResult(List<FigureDelta> Batch, Exception? Error);

    [LoggerMessage(500, LogLevel.Error,
        "Dropped {Count} per-second figure deltas that could not be written to the figure store within {MaxAge} ({Total} dropped so far).")]
    private static partial void LogDropped(ILogger logger, int count, TimeSpan maxAge, long total);

    [LoggerMessage(501, LogLevel.Information, "The figure store accepts figures again; pending figures were written.")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(502, LogLevel.Warning, "Figures of {Agents} could not be written to the figure store; they are kept (up to {MaxAge}) and retried every flush.")]
    private static partial void LogNotWritten(ILogger logger, Exception? exception, string agents, TimeSpan maxAge);
}
