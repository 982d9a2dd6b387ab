using System.Security.Cryptography;

namespace Rollgate.Signals;

/// <summary>
/// The request ledger of a single process (file store). Ids are kept for <see cref="RequestLedgerOptions.Retention"/>
/// plus an hour, but never more than <see cref="RequestLedgerOptions.Capacity"/> of them: beyond, the oldest are evicted
/// first (at 2,000,000 ids that is 24 h of traffic only up to ≈ 23 requests/s on average).
/// </summary>
/// <remarks>
/// An entry is a 64-bit keyed hash of (agent, request id), not the strings: a dictionary entry (≈ 28 bytes) plus a slot
/// in the eviction queue (16 bytes), ≈ 45 bytes per id, ≈ 90 MB at the default capacity (plus up to 2× while the
/// collections grow). Two ids of the same agent collide with probability ≈ n/2^64 per lookup, negligible.
/// Lost on restart, like the rest of the in-memory figures.
/// </remarks>
public sealed class InMemoryRequestLedger : IRequestLedger
{
    private readonly TimeProvider _time;
    private readonly RequestLedgerOptions _options;
    private readonly LedgerBuffer _buffer;
    private readonly ulong _seed = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private readonly long _epoch;
    private readonly Dictionary<ulong, Slot> _index = new();
    private readonly Queue<(ulong Key, int Sequence, int Second)> _order = new();
    private readonly Action<LedgerEntry> _apply;
    private int _sequence;

    public InMemoryRequestLedger(TimeProvider timeProvider, RequestLedgerOptions? options = null)
    {
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _options = options ?? new RequestLedgerOptions();
        _options.Validate();
        _buffer = new LedgerBuffer(_options.BufferCapacity);
        _epoch = _time.GetUtcNow().ToUnixTimeSeconds();
        _apply = Apply;
    }

    public long Dropped => _buffer.Dropped;

    /// <summary>Ids currently kept (after the last flush or find).</summary>
    public int Count
    {
        get
        {
            lock (_index)
            {
                return _index.Count;
            }
        }
    }

    public void Remember(string agent, string requestId, int version)
    {
        if (string.IsNullOrEmpty(agent) || string.IsNullOrEmpty(requestId))
        {
            return;
        }

        _buffer.Add(new LedgerEntry(agent, requestId, version, _time.GetUtcNow().ToUnixTimeSeconds()));
    }

    public Task<int?> FindAsync(string agent, string requestId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(requestId);
        lock (_index)
        {
            ApplyPending();
            return Task.FromResult(_index.TryGetValue(Key(agent, requestId), out var slot) ? slot.Version : (int?)null);
        }
    }

    public Task FlushAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_index)
        {
            ApplyPending();
        }

        return Task.CompletedTask;
    }

    private void ApplyPending()
    {
        _buffer.Drain(_apply);
        Evict();
    }

    private void Apply(LedgerEntry entry)
    {
        var key = Key(entry.Agent, entry.RequestId);
        var sequence = unchecked(++_sequence);
        _index[key] = new Slot(entry.Version, sequence);
        _order.Enqueue((key, sequence, (int)(entry.UnixSecond - _epoch)));
        if (_order.Count > _options.Capacity)
        {
            EvictOldest();
        }
    }

    private void Evict()
    {
        var oldest = _time.GetUtcNow().ToUnixTimeSeconds() - _epoch - (long)(_options.Retention + TimeSpan.FromHours(1)).TotalSeconds;
        while (_order.Count > 0 && (_order.Count > _options.Capacity || _order.Peek().Second < oldest))
        {
            EvictOldest();
        }
    }

    private void EvictOldest()
    {
        var (key, sequence, _) = _order.Dequeue();
        // Only if not remembered again since: the newer queue slot owns the entry then.
        if (_index.TryGetValue(key, out var slot) && slot.Sequence == sequence)
        {
            _index.Remove(key);
        }
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

        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        hash *= 0xc4ceb9fe1a85ec53UL;
        hash ^= hash >> 33;
        return hash;
    }

    private readonly record struct Slot(int Version, int Sequence);
}
