using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rollgate.Signals;
using StackExchange.Redis;

namespace Rollgate.Stores.Redis;

/// <summary>
/// The request ledger shared by a replica fleet. One hash per agent and hour (<see cref="RedisKeys.Requests"/>:
/// <c>{prefix}:{agent}:req:&lt;unixHour&gt;</c>), field request id → version, expiring
/// <see cref="RequestLedgerOptions.Retention"/> + 2 h after its last write. <see cref="FindAsync"/> reads the hours that
/// can hold an id of the last Retention + 1 h (26 keys by default, one pipelined round trip of HGETs), newest first.
/// </summary>
/// <remarks>
/// Redis memory is bounded by traffic × retention: ≈ 70–90 bytes per id of ≤ 40 characters (hash-table encoding), e.g.
/// ≈ 150 MB for 20 requests/s over 26 h. Ids longer than <see cref="RequestLedgerOptions.MaxStoredIdLength"/> are
/// stored as <c>#</c> + SHA-256 so a client cannot make entries large. Writes are HSETs (idempotent), so a flush that
/// failed halfway is simply repeated. Ids are written in batches of <see cref="RequestLedgerOptions.FlushBatch"/>, and
/// as soon as a batch is waiting: one flush per second under load held every id of that second, as strings the
/// collector then promoted, and built its arrays on the large-object heap (a gen-2 collection every few seconds).
/// </remarks>
public sealed partial class RedisRequestLedger : IRequestLedger
{
    private readonly IDatabase _db;
    private readonly TimeProvider _time;
    private readonly RequestLedgerOptions _options;
    private readonly RedisKeys _keys;
    private readonly ILogger _logger;
    private readonly LedgerBuffer<LedgerEntry> _buffer;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeSpan _keyTtl;
    private List<LedgerEntry>? _unwritten;
    private bool _failing;
    private int _flushQueued;

    public RedisRequestLedger(IConnectionMultiplexer connection, TimeProvider timeProvider, RequestLedgerOptions? options = null,
        string keyPrefix = RedisKeys.DefaultPrefix, ILogger<RedisRequestLedger>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _keys = new RedisKeys(keyPrefix);
        _db = connection.GetDatabase();
        _time = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _options = options ?? new RequestLedgerOptions();
        new RequestLedgerOptionsValidator().ThrowIfInvalid(_options);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _buffer = new LedgerBuffer<LedgerEntry>(_options.BufferCapacity);
        _keyTtl = _options.Retention + TimeSpan.FromHours(2);
    }

    public long Dropped => _buffer.Dropped;

    /// <summary>Entries buffered or waiting for a retry.</summary>
    public int Pending => _buffer.Count + (Volatile.Read(ref _unwritten)?.Count ?? 0);

    public void Remember(string agent, string requestId, int version)
    {
        if (string.IsNullOrEmpty(agent) || string.IsNullOrEmpty(requestId))
        {
            return;
        }

        _buffer.Add(new LedgerEntry(agent, requestId, version, _time.GetUtcNow().ToUnixTimeSeconds()));
        if (_buffer.Count >= _options.FlushBatch && !_failing && Interlocked.Exchange(ref _flushQueued, 1) == 0)
        {
            // A batch is waiting: write it now rather than at the next periodic flush (while Redis fails, that one retries).
            ThreadPool.UnsafeQueueUserWorkItem(static ledger => _ = ledger.FlushQueuedAsync(), this, preferLocal: false);
        }
    }

    private async Task FlushQueuedAsync()
    {
        try
        {
            await TryFlushAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogEarlyWriteFailed(_logger, ex);
        }
        finally
        {
            Volatile.Write(ref _flushQueued, 0);
        }
    }

    public async Task<int?> FindAsync(string agent, string requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(requestId);
        // What this replica remembered must be findable at once (clients report outcomes right after the response).
        if (!await TryFlushAsync(cancellationToken))
        {
            throw new StoreUnavailableException("Redis is unavailable (request ledger flush failed).");
        }

        var field = Field(requestId);
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var newest = now / 3600;
        var oldest = (now - (long)(_options.Retention + TimeSpan.FromHours(1)).TotalSeconds) / 3600;
        return await RedisFailures.Guard("find request", async () =>
        {
            var batch = _db.CreateBatch();
            var reads = new List<Task<RedisValue>>();
            for (var hour = newest; hour >= oldest; hour--)
            {
                reads.Add(batch.HashGetAsync(_keys.Requests(agent, hour), field));
            }

            batch.Execute();
            await Task.WhenAll(reads);
            foreach (var read in reads)
            {
                var value = read.Result;
                if (!value.IsNull && int.TryParse(value.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var version))
                {
                    return (int?)version;
                }
            }

            return null;
        });
    }

    public async Task FlushAsync(CancellationToken cancellationToken) => await TryFlushAsync(cancellationToken);

    /// <summary>Writes what is buffered; false (and the entries kept) when Redis failed.</summary>
    private async Task<bool> TryFlushAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                var entries = _unwritten ?? _buffer.Take(_options.FlushBatch);
                if (entries.Count == 0)
                {
                    return true;
                }

                try
                {
                    await WriteAsync(entries);
                }
                catch (Exception ex) when (RedisFailures.IsUnavailable(ex) || ex is RedisException)
                {
                    Volatile.Write(ref _unwritten, entries);
                    if (!_failing)
                    {
                        _failing = true;
                        LogCannotWrite(_logger, ex, entries.Count, _options.BufferCapacity);
                    }

                    return false;
                }

                Volatile.Write(ref _unwritten, null);
                if (_failing)
                {
                    _failing = false;
                    LogRecovered(_logger);
                }

                if (entries.Count < _options.FlushBatch)
                {
                    return true;
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task WriteAsync(List<LedgerEntry> entries)
    {
        var batch = _db.CreateBatch();
        var writes = new List<Task>();
        foreach (var group in entries.GroupBy(e => (e.Agent, Hour: e.UnixSecond / 3600)))
        {
            // Later entries win (a retry of the same request on the stable version).
            var fields = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var entry in group)
            {
                fields[Field(entry.RequestId)] = entry.Version;
            }

            var key = _keys.Requests(group.Key.Agent, group.Key.Hour);
            writes.Add(batch.HashSetAsync(key, fields.Select(f => new HashEntry(f.Key, f.Value)).ToArray()));
            writes.Add(batch.KeyExpireAsync(key, _keyTtl));
        }

        batch.Execute();
        await Task.WhenAll(writes);
    }

    private string Field(string requestId)
        => requestId.Length <= _options.MaxStoredIdLength
            ? requestId
            : "#" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(requestId)));

    [LoggerMessage(420, LogLevel.Warning, "The request ledger failed to write a batch early; the periodic flush will retry.")]
    private static partial void LogEarlyWriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(421, LogLevel.Warning, "The request ledger cannot write to Redis; {Count} ids are kept and retried (new ids are dropped once {Capacity} are buffered).")]
    private static partial void LogCannotWrite(ILogger logger, Exception exception, int count, int capacity);

    [LoggerMessage(422, LogLevel.Information, "The request ledger writes to Redis again.")]
    private static partial void LogRecovered(ILogger logger);
}
