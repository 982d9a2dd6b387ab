using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Rollgate.Signals;

/// <summary>
/// The figure store of a single process (file store mode). Per agent it keeps per-second buckets for
/// <see cref="FigureStoreOptions.SecondRetention"/> and per-minute rollups for <see cref="FigureStoreOptions.MinuteRetention"/>,
/// so a 1 h window sums ≈ 60 minutes plus at most 118 edge seconds. Older buckets are pruned by time. Thread-safe
/// (one lock per agent).
/// </summary>
/// <remarks>
/// Every version that takes traffic adds a bucket entry every second, kept for an hour and more: a bucket holds all of
/// an agent's versions packed in one array (<see cref="PackedFigures"/>), only their non-empty latency buckets, so
/// memory follows the traffic's variety rather than the 301 buckets of a full histogram.
/// </remarks>
public sealed class InMemoryFigureStore : IFigureStore
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _time;
    private readonly FigureStoreOptions _options;
    private readonly ConcurrentDictionary<string, AgentFigures> _agents = new(StringComparer.Ordinal);
    private long _lastPruneSecond;

    public InMemoryFigureStore(TimeProvider timeProvider, FigureStoreOptions? options = null)
    {
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _options = options ?? new FigureStoreOptions();
        new FigureStoreOptionsValidator().ThrowIfInvalid(_options);
    }

    /// <summary>Per-second buckets held over all agents (for tests and diagnostics).</summary>
    public int SecondBuckets => _agents.Values.Sum(a => a.SecondCount);

    /// <summary>Per-minute rollups held over all agents.</summary>
    public int MinuteBuckets => _agents.Values.Sum(a => a.MinuteCount);

    public Task AddAsync(IReadOnlyList<FigureDelta> deltas, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var delta in deltas)
        {
            if (delta.Figures.IsEmpty)
            {
                continue;
            }

            _agents.GetOrAdd(delta.Agent, static _ => new AgentFigures()).Add(delta);
        }

        PruneIfDue();
        return Task.CompletedTask;
    }

    public Task<IReadOnlyDictionary<int, FigureSummary>> ReadAsync(string agent, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agent);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new Dictionary<int, FigureSummary>();
        var window = FigureWindow.Of(from, to);
        if (!window.IsEmpty && _agents.TryGetValue(agent, out var figures))
        {
            figures.Read(window, result);
        }

        return Task.FromResult<IReadOnlyDictionary<int, FigureSummary>>(result);
    }

    /// <summary>Drops buckets older than the retention now (otherwise done every 10 s by <see cref="AddAsync"/>).</summary>
    public void Prune()
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        Volatile.Write(ref _lastPruneSecond, now);
        var oldestSecond = now - (long)_options.SecondRetention.TotalSeconds;
        // A minute is kept while any of its seconds is within the minute retention.
        var oldestMinute = FigureWindow.MinuteOf(now - (long)_options.MinuteRetention.TotalSeconds);
        foreach (var figures in _agents.Values)
        {
            figures.Prune(oldestSecond, oldestMinute);
        }
    }

    private void PruneIfDue()
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (now - Volatile.Read(ref _lastPruneSecond) >= PruneEvery.TotalSeconds)
        {
            Prune();
        }
    }

    private sealed class AgentFigures
    {
        private readonly Lock _lock = new();
        private readonly Dictionary<long, byte[]> _seconds = new();
        private readonly Dictionary<long, byte[]> _minutes = new();

        public int SecondCount
        {
            get
            {
                lock (_lock)
                {
                    return _seconds.Count;
                }
            }
        }

        public int MinuteCount
        {
            get
            {
                lock (_lock)
                {
                    return _minutes.Count;
                }
            }
        }

        public void Add(FigureDelta delta)
        {
            lock (_lock)
            {
                AddTo(_seconds, delta.UnixSecond, delta);
                AddTo(_minutes, FigureWindow.MinuteOf(delta.UnixSecond), delta);
            }
        }

        public void Read(FigureWindow window, Dictionary<int, FigureSummary> result)
        {
            lock (_lock)
            {
                var (start, end) = window.Minutes;
                for (var minute = start; minute < end; minute++)
                {
                    if (_minutes.TryGetValue(minute, out var figures))
                    {
                        PackedFigures.AddTo(figures, result);
                    }
                }

                foreach (var second in window.EdgeSeconds())
                {
                    if (_seconds.TryGetValue(second, out var figures))
                    {
                        PackedFigures.AddTo(figures, result);
                    }
                }
            }
        }

        public void Prune(long oldestSecond, long oldestMinute)
        {
            lock (_lock)
            {
                foreach (var second in _seconds.Keys.Where(s => s < oldestSecond).ToList())
                {
                    _seconds.Remove(second);
                }

                foreach (var minute in _minutes.Keys.Where(m => m < oldestMinute).ToList())
                {
                    _minutes.Remove(minute);
                }
            }
        }

        private static void AddTo(Dictionary<long, byte[]> buckets, long key, FigureDelta delta)
        {
            ref var bucket = ref CollectionsMarshal.GetValueRefOrAddDefault(buckets, key, out _);
            bucket = PackedFigures.Add(bucket, delta.Version, delta.Figures);
        }
    }
}
