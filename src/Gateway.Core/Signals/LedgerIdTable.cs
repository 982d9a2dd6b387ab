namespace Rollgate.Signals;

/// <summary>
/// One ledger segment's ids: a fixed-size hash table of 64-bit keys to versions, in two parallel arrays with linear
/// probing. At its capacity an id takes 16 bytes, where a <see cref="Dictionary{TKey,TValue}"/> of the same keys takes
/// 28 (an entry of 24 bytes and a bucket of 4): a full ledger is most of a busy gateway's heap.
/// </summary>
/// <remarks>
/// Ids are only added and cleared together, never removed one by one, so probing needs no tombstones. Keys are already
/// uniformly mixed; the slot is the key scaled to the table's size. Not thread-safe (the ledger locks).
/// </remarks>
internal sealed class LedgerIdTable
{
    /// <summary>Slots per id at capacity, as a ratio: a quarter of them stay free, so probes stay short.</summary>
    private const double SlotsPerId = 4.0 / 3.0;

    private readonly ulong[] _keys;
    private readonly int[] _versions;

    public LedgerIdTable(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        var slots = (int)Math.Min(Array.MaxLength, Math.Ceiling(capacity * SlotsPerId) + 1);
        _keys = new ulong[slots];
        _versions = new int[slots];
    }

    /// <summary>Ids it can hold (distinct keys); <see cref="IsFull"/> once it holds them.</summary>
    public int Capacity { get; }

    public int Count { get; private set; }

    public bool IsFull => Count >= Capacity;

    /// <summary>Sets the key's version (a key added again keeps the latest). Call only while not <see cref="IsFull"/>.</summary>
    public void Set(ulong key, int version)
    {
        key = Stored(key);
        for (var slot = SlotOf(key); ; slot = Next(slot))
        {
            if (_keys[slot] == key)
            {
                _versions[slot] = version;
                return;
            }

            if (_keys[slot] == 0)
            {
                _keys[slot] = key;
                _versions[slot] = version;
                Count++;
                return;
            }
        }
    }

    public bool TryGetValue(ulong key, out int version)
    {
        key = Stored(key);
        for (var slot = SlotOf(key); _keys[slot] != 0; slot = Next(slot))
        {
            if (_keys[slot] == key)
            {
                version = _versions[slot];
                return true;
            }
        }

        version = 0;
        return false;
    }

    public void Clear()
    {
        if (Count > 0)
        {
            Array.Clear(_keys);
            Count = 0;
        }
    }

    /// <summary>Zero marks a free slot, so the one key of 2^64 that is zero is kept as one: two ids sharing a key, as any two may.</summary>
    private static ulong Stored(ulong key) => key == 0 ? 1 : key;

    private int SlotOf(ulong key) => (int)Math.BigMul(key, (ulong)_keys.Length, out _);

    private int Next(int slot) => slot + 1 == _keys.Length ? 0 : slot + 1;
}
