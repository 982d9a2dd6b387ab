using System.Numerics;

namespace Rollgate.Signals;

/// <summary>One remembered request, stamped with the unix second it was remembered.</summary>
internal readonly record struct LedgerEntry(string Agent, string RequestId, int Version, long UnixSecond);

/// <summary>One remembered request as a keyed hash of (agent, request id): nothing on the heap for the collector to promote.</summary>
internal readonly record struct KeyedLedgerEntry(ulong Key, int Version, long UnixSecond);

/// <summary>
/// The bounded hand-off between the data path and the ledger flush: a preallocated ring that many writers fill
/// without locks (each claims a slot with one compare-and-swap; a per-slot sequence number says when it is
/// written and when it is free again) and one reader drains. Every proxied request writes here, so a full ring
/// drops the entry and counts it rather than wait or allocate.
/// </summary>
internal sealed class LedgerBuffer<TEntry>
    where TEntry : struct
{
    private readonly Slot[] _slots;
    private readonly long _mask;
    private readonly long _capacity;
    private long _tail;
    private long _head;
    private long _dropped;

    public LedgerBuffer(int capacity)
    {
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 2));
        _slots = new Slot[size];
        _mask = size - 1;
        _capacity = Math.Max(capacity, 1);
        for (var i = 0; i < size; i++)
        {
            _slots[i].Sequence = i;
        }
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public int Count => (int)Math.Max(0, Volatile.Read(ref _tail) - Volatile.Read(ref _head));

    public void Add(in TEntry entry)
    {
        var position = Volatile.Read(ref _tail);
        while (true)
        {
            ref var slot = ref _slots[position & _mask];
            var gap = Volatile.Read(ref slot.Sequence) - position;
            if (position - Volatile.Read(ref _head) >= _capacity)
            {
                Interlocked.Increment(ref _dropped); // at capacity (the ring itself is rounded up to a power of two)
                return;
            }

            if (gap == 0)
            {
                if (Interlocked.CompareExchange(ref _tail, position + 1, position) == position)
                {
                    slot.Entry = entry;
                    Volatile.Write(ref slot.Sequence, position + 1); // published: the reader may take it
                    return;
                }

                position = Volatile.Read(ref _tail);
            }
            else if (gap < 0)
            {
                Interlocked.Increment(ref _dropped); // the slot still holds an entry from one lap ago: full
                return;
            }
            else
            {
                position = Volatile.Read(ref _tail); // another writer took this slot
            }
        }
    }

    /// <summary>Takes up to <paramref name="max"/> entries (single reader: callers serialize).</summary>
    public List<TEntry> Take(int max)
    {
        var entries = new List<TEntry>(Math.Min(max, Math.Max(Count, 16)));
        while (entries.Count < max && TryTake(out var entry))
        {
            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>Takes every entry into <paramref name="apply"/> without building a list.</summary>
    public void Drain(Action<TEntry> apply)
    {
        while (TryTake(out var entry))
        {
            apply(entry);
        }
    }

    private bool TryTake(out TEntry entry)
    {
        var position = _head;
        ref var slot = ref _slots[position & _mask];
        if (Volatile.Read(ref slot.Sequence) != position + 1)
        {
            entry = default;
            return false; // empty, or the writer that claimed it has not finished writing
        }

        entry = slot.Entry;
        slot.Entry = default; // let any strings go
        Volatile.Write(ref slot.Sequence, position + _slots.Length); // free for the writer one lap ahead
        Volatile.Write(ref _head, position + 1);
        return true;
    }

    private struct Slot
    {
        public long Sequence;
        public TEntry Entry;
    }
}
