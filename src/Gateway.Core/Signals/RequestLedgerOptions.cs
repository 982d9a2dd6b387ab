namespace Rollgate.Signals;

/// <summary>Limits of the request ledgers, bound from <c>Rollgate:RequestLedger</c>; the defaults are what the gateway uses.</summary>
public sealed class RequestLedgerOptions
{
    public const string SectionName = "Rollgate:RequestLedger";

    /// <summary>How long a request id is kept at least (capacity permitting for the in-memory ledger): outcomes come up to a day later.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>In-memory ledger only: at most this many ids are kept, the oldest evicted first (about 16 bytes each).</summary>
    public int Capacity { get; set; } = 2_000_000;

    /// <summary>Entries waiting between two flushes (≈ 40 bytes each while buffered); more are dropped and counted.</summary>
    public int BufferCapacity { get; set; } = 100_000;

    /// <summary>Redis ledger only: request ids longer than this are stored by their SHA-256 instead of verbatim.</summary>
    public int MaxStoredIdLength { get; set; } = 128;

    /// <summary>
    /// Redis ledger only: ids written per round trip, and the number waiting at which the data path asks for a write
    /// without waiting for the periodic flush. Small enough that a write's arrays stay off the large-object heap and,
    /// under load, that ids (strings, held until written) are gone before a collection would promote them.
    /// </summary>
    public int FlushBatch { get; set; } = 1_000;
}
