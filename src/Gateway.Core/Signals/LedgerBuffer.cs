using System.Threading.Channels;

namespace Rollgate.Signals;

/// <summary>One remembered request, stamped with the unix second it was remembered.</summary>
internal readonly record struct LedgerEntry(string Agent, string RequestId, int Version, long UnixSecond);

/// <summary>
/// The bounded hand-off between the data path and the ledger flush: a bounded channel (a preallocated-as-it-grows
/// ring under a short lock; no allocation per entry once grown). A full buffer drops the entry and counts it.
/// </summary>
internal sealed class LedgerBuffer
{
    private readonly Channel<LedgerEntry> _channel;
    private long _dropped;

    public LedgerBuffer(int capacity)
    {
        _channel = Channel.CreateBounded<LedgerEntry>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite answers false when full: we drop and count
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        });
    }

    public long Dropped => Interlocked.Read(ref _dropped);

    public int Count => _channel.Reader.Count;

    public void Add(in LedgerEntry entry)
    {
        if (!_channel.Writer.TryWrite(entry))
        {
            Interlocked.Increment(ref _dropped);
        }
    }

    /// <summary>Takes up to <paramref name="max"/> entries (single reader: callers serialize).</summary>
    public List<LedgerEntry> Take(int max)
    {
        var entries = new List<LedgerEntry>(Math.Min(max, Math.Max(_channel.Reader.Count, 16)));
        while (entries.Count < max && _channel.Reader.TryRead(out var entry))
        {
            entries.Add(entry);
        }

        return entries;
    }

    /// <summary>Takes every entry into <paramref name="apply"/> without building a list.</summary>
    public void Drain(Action<LedgerEntry> apply)
    {
        while (_channel.Reader.TryRead(out var entry))
        {
            apply(entry);
        }
    }
}
