using System.Security.Cryptography;
using Rollgate.Hashing;

namespace Rollgate.Signals;

/// <summary>
/// The request ledger of a single process (file store). Ids are kept for <see cref="RequestLedgerOptions.Retention"/>
/// plus an hour, but never more than <see cref="RequestLedgerOptions.Capacity"/> of them: beyond, the oldest are evicted
/// first (at 2,000,000 ids that is 24 h of traffic only up to ≈ 23 requests/s on average).
/// </summary>
/// <remarks>
/// <para>
/// Ids live in a ring of up to eight segments, each a table (<see cref="LedgerIdTable"/>) allocated at its share of the
/// capacity when first used.
/// New ids go to the newest segment until it is full or has spanned its time slice (retention plus an hour, over one
/// segment fewer than there are); then the oldest is cleared and reused as the newest. So the time slices alone never
/// evict an id before its retention, and a segment whose newest id has passed the retention is cleared on the next flush. Eviction is therefore by segment: between 7/8 of the capacity
/// and all of it is kept. Clearing keeps a table's arrays, so once the ring has gone round nothing is allocated
/// however long the gateway runs (growing one big table would reallocate it on the large-object heap, and the
/// collections that follow cost every request).
/// </para>
/// <para>
/// An entry is a 64-bit keyed hash of (agent, request id), not the strings: 16 bytes per id, 32 MB at the default
/// capacity. Two ids of the same agent collide with probability ≈ n/2^64 per lookup, negligible. Lost on restart, like
/// the rest of the in-memory figures.
/// </para>
/// </remarks>
public sealed class InMemoryRequestLedger : IRequestLedger
{
    private const int MaxSegments = 8;

    private readonly TimeProvider _time;
    private readonly RequestLedgerOptions _options;
    private readonly LedgerBuffer<KeyedLedgerEntry> _buffer;
    private readonly ulong _seed = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private readonly Segment[] _segments;
    private readonly int _segmentCapacity;
    private readonly long _sliceSeconds;
    private readonly Action<KeyedLedgerEntry> _apply;
    private int _newest;

    public InMemoryRequestLedger(TimeProvider timeProvider, RequestLedgerOptions? options = null)
    {
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _options = options ?? new RequestLedgerOptions();
        new RequestLedgerOptionsValidator().ThrowIfInvalid(_options);
        _buffer = new LedgerBuffer<KeyedLedgerEntry>(_options.BufferCapacity);
        var segments = Math.Clamp(_options.Capacity, 2, MaxSegments);
        _segmentCapacity = Math.Max(1, _options.Capacity / segments);
        _sliceSeconds = Math.Max(1, (long)KeepFor.TotalSeconds / (segments - 1));
        _segments = new Segment[segments];
        for (var i = 0; i < segments; i++)
        {
            _segments[i] = new Segment();
        }

        _apply = Apply;
    }

    public long Dropped => _buffer.Dropped;

    /// <summary>Ids currently kept (after the last flush or find); an id remembered twice may count twice until the older copy is evicted.</summary>
    public int Count
    {
        get
        {
            lock (_segments)
            {
                return _segments.Sum(s => s.Ids?.Count ?? 0);
            }
        }
    }

    public void Remember(string agent, string requestId, int version)
    {
        if (string.IsNullOrEmpty(agent) || string.IsNullOrEmpty(requestId))
        {
            return;
        }

        // Hashed here, not at the flush: the buffer then holds no strings, which would otherwise live ≈ 1 s, survive
        // gen-0 collections and be promoted, making gen-2 collections frequent under load.
        _buffer.Add(new KeyedLedgerEntry(Key(agent, requestId), version, _time.GetUtcNow().ToUnixTimeSeconds()));
    }

    public Task<int?> FindAsync(string agent, string requestId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(requestId);
        lock (_segments)
        {
            ApplyPending();
            var key = Key(agent, requestId);
            for (var age = 0; age < _segments.Length; age++)
            {
                // Newest first: an id remembered again (a retry on stable) answers with its latest version.
                if (_segments[(_newest - age + _segments.Length) % _segments.Length].Ids is { } ids && ids.TryGetValue(key, out var version))
                {
                    return Task.FromResult<int?>(version);
                }
            }

            return Task.FromResult<int?>(null);
        }
    }

    public Task FlushAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_segments)
        {
            ApplyPending();
        }

        return Task.CompletedTask;
    }

    private void ApplyPending()
    {
        _buffer.Drain(_apply);
        var oldest = _time.GetUtcNow().ToUnixTimeSeconds() - (long)KeepFor.TotalSeconds;
        foreach (var segment in _segments)
        {
            if (segment.Ids is { Count: > 0 } ids && segment.NewestSecond < oldest)
            {
                ids.Clear();
            }
        }
    }

    private TimeSpan KeepFor => _options.Retention + TimeSpan.FromHours(1);

    private void Apply(KeyedLedgerEntry entry)
    {
        var segment = _segments[_newest];
        if (segment.Ids is { } current && (current.IsFull || (current.Count > 0 && entry.UnixSecond - segment.FirstSecond >= _sliceSeconds)))
        {
            _newest = (_newest + 1) % _segments.Length;
            segment = _segments[_newest];
            segment.Ids?.Clear(); // the oldest segment's ids are evicted together
        }

        // Full size at first use: one large-object allocation per segment for the gateway's lifetime, rather than a
        // dozen while it grows (each of those can start a gen-2 collection under load).
        var ids = segment.Ids ??= new LedgerIdTable(_segmentCapacity);
        if (ids.Count == 0)
        {
            segment.FirstSecond = entry.UnixSecond;
            segment.NewestSecond = entry.UnixSecond;
        }

        ids.Set(entry.Key, entry.Version);
        segment.NewestSecond = Math.Max(segment.NewestSecond, entry.UnixSecond);
    }

    /// <summary>Seeded FNV-1a over both strings, finished with the MurmurHash3 64-bit mixer.</summary>
    private ulong Key(string agent, string requestId)
    {
        var hash = 14695981039346656037UL ^ _seed;
        foreach (var c in agent)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        hash = (hash ^ 0xFFFF) * 1099511628211UL; // separator: ("a","bc") ≠ ("ab","c")
        foreach (var c in requestId)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return Mix64.Apply(hash);
    }

    private sealed class Segment
    {
        public LedgerIdTable? Ids;
        public long FirstSecond;
        public long NewestSecond;
    }
}
