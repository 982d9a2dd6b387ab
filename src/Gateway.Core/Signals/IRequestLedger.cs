namespace Rollgate.Signals;

/// <summary>
/// Which version served a request id, so that a task outcome reported later (<c>POST …/outcomes</c>) is attributed to
/// it (kept at least 24 h by default). <see cref="Remember"/> is called by the data path for every request and only
/// enqueues into a bounded buffer; <see cref="FlushAsync"/> (once a second, by <see cref="FigureFlusherService"/>)
/// moves the buffer into the ledger.
/// </summary>
public interface IRequestLedger
{
    /// <summary>Hot path: O(1), no I/O, never blocks or throws; when the buffer is full the entry is dropped and counted in <see cref="Dropped"/>.
    /// Remembering the same id again (a retry on the stable version) replaces the version.</summary>
    void Remember(string agent, string requestId, int version);

    /// <summary>The version that served <paramref name="requestId"/> of <paramref name="agent"/> in the retention period, or null.
    /// Entries remembered by this replica are found at once (pending ones are flushed first); another replica's after its next flush.</summary>
    /// <exception cref="Rollgate.Stores.StoreUnavailableException">The shared ledger (Redis) cannot be reached.</exception>
    Task<int?> FindAsync(string agent, string requestId, CancellationToken cancellationToken);

    /// <summary>Moves buffered entries into the ledger; keeps them for the next call when the store fails. Throws only when cancelled.</summary>
    Task FlushAsync(CancellationToken cancellationToken);

    /// <summary>Entries dropped because the buffer was full (store down for long, or more than the buffer per second).</summary>
    long Dropped { get; }
}
