using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Rollgate.Evals;
using Rollgate.Json;
using Rollgate.Release;
using Rollgate.Tools;
using Rollgate.Versions;
using StackExchange.Redis;

namespace Rollgate.Stores.Redis;

/// <summary>
/// The shared store of a replica fleet. Each change of an agent is one Lua script that checks the generation,
/// writes the record, appends the history event and publishes the agent's name, all or nothing (see
/// <see cref="RedisScripts"/> and the key layout in <see cref="RedisKeys"/>).
/// While Redis is unreachable every call fails fast with <see cref="StoreUnavailableException"/> (admin writes answer
/// 503, nothing is queued to be replayed later); the connection keeps retrying in the background. When Redis comes
/// back with other data (its epoch changed), what this replica cached from the old data is dropped.
/// </summary>
public sealed partial class RedisStore : IRollgateStore
{
    private readonly ConnectionMultiplexer _connection;
    private readonly IDatabase _db;
    private readonly RedisKeys _keys;
    private readonly TimeProvider _time;
    private readonly RedisStoreOptions _options;
    private readonly RedisChangeFeed _changes;
    // Versions are immutable, so once read they never need to be read again, unless the store is reset: then version
    // numbers start over and these are dropped.
    private readonly ConcurrentDictionary<(string Agent, int Number), AgentVersion> _versions = new();
    private readonly ILogger _logger;
    private string? _epoch;
    private int _disposed;

    private RedisStore(ConnectionMultiplexer connection, TimeProvider time, RedisStoreOptions options, ILogger logger)
    {
        _connection = connection;
        _db = connection.GetDatabase();
        _keys = new RedisKeys(options.KeyPrefix);
        _time = time;
        _options = options;
        _logger = logger;
        _changes = new RedisChangeFeed(connection, _keys, time, options.PollInterval, ReadEpochAsync, logger);
    }

    public string Kind => "redis";

    /// <summary>The connection, shared with the other Redis-backed parts of a replica (figures, ledger, rule states).</summary>
    internal IConnectionMultiplexer Connection => _connection;

    internal string KeyPrefix => _options.KeyPrefix;

    /// <summary>Connects without waiting for Redis to be up: the gateway starts and keeps retrying in the background.</summary>
    public static Task<RedisStore> ConnectAsync(string configuration, TimeProvider timeProvider, ILogger? logger = null)
        => ConnectAsync(configuration, timeProvider, new RedisStoreOptions(), logger);

    public static async Task<RedisStore> ConnectAsync(string configuration, TimeProvider timeProvider, RedisStoreOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(options);
        new RedisStoreOptionsValidator().ThrowIfInvalid(options);
        var connection = await ConnectionMultiplexer.ConnectAsync(RedisConnection.CreateConfiguration(configuration, options));
        return new RedisStore(connection, timeProvider, options, logger ?? NullLogger.Instance);
    }

    public Task<IReadOnlyList<string>> ListAgentsAsync(CancellationToken cancellationToken) => Guard<IReadOnlyList<string>>("list agents", cancellationToken, async () =>
    {
        var names = (await _db.SetMembersAsync(_keys.Agents)).Select(n => n.ToString()).ToArray();
        // An agent whose creating commit failed after SADD has no record: not an agent.
        var exists = await Task.WhenAll(names.Select(n => _db.HashExistsAsync(_keys.State(n), "record")));
        return names.Where((_, i) => exists[i]).Order(StringComparer.Ordinal).ToArray();
    });

    public Task<AgentRecord?> GetAgentAsync(string agent, CancellationToken cancellationToken) => Guard("get agent", cancellationToken, async () =>
    {
        var record = await _db.HashGetAsync(_keys.State(agent), "record");
        return record.IsNull ? null : Deserialize<AgentRecord>(record);
    });

    public Task<bool> TryCommitAsync(AgentRecord next, HistoryEvent historyEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(next);
        ArgumentNullException.ThrowIfNull(historyEvent);
        return Guard("commit", cancellationToken, async () =>
        {
            if (next.Generation == 1)
            {
                // Another slot, so not inside the script; a set member without a record is ignored by readers.
                await _db.SetAddAsync(_keys.Agents, next.Name);
            }

            var result = await _db.ScriptEvaluateAsync(
                RedisScripts.Commit,
                [_keys.State(next.Name), _keys.History(next.Name)],
                [next.Generation, Serialize(next), Serialize(historyEvent), _keys.ChangesName, next.Name]);
            return (long)result == 1;
        }, maybeApplied: true);
    }

    public Task<VersionAddResult> AddVersionAsync(string agent, string contentHash, Func<int, AgentVersion> create, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(contentHash);
        ArgumentNullException.ThrowIfNull(create);
        return Guard("add version", cancellationToken, async () =>
        {
            var addAgent = _db.SetAddAsync(_keys.Agents, agent); // so the poller watches it
            var known = _db.HashGetAsync(_keys.VersionHashes(agent), contentHash);
            var count = _db.HashLengthAsync(_keys.Versions(agent));
            await Task.WhenAll(addAgent, known, count);
            if (!known.Result.IsNull)
            {
                return new VersionAddResult(await LoadVersionAsync(agent, (int)known.Result), Created: false);
            }

            var number = (int)count.Result + 1;
            for (var attempt = 0; attempt < _options.MaxVersionAttempts; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var json = Serialize(create(number));
                var result = (RedisResult[])(await _db.ScriptEvaluateAsync(
                    RedisScripts.AddVersion,
                    [_keys.Versions(agent), _keys.VersionHashes(agent)],
                    [number, contentHash, json, _keys.ChangesName, agent]))!;
                var outcome = (int)result[0];
                var assigned = (int)result[1];
                switch (outcome)
                {
                    case 0:
                        // Cache (and return) what was stored, not the caller's object: its JSON elements may belong
                        // to a document the caller disposes. It replaces whatever a reset store's number meant before.
                        var created = Deserialize<AgentVersion>(json);
                        _versions[(agent, created.Number)] = created;
                        return new VersionAddResult(created, Created: true);
                    case 1:
                        return new VersionAddResult(await LoadVersionAsync(agent, assigned), Created: false);
                    default:
                        number = assigned; // another replica took the number: try the next free one
                        break;
                }
            }

            throw new StoreUnavailableException(
                $"Could not assign a version number for agent '{agent}' after {_options.MaxVersionAttempts} attempts: too many versions are being added at once. Retry.");
        });
    }

    public Task<AgentVersion?> GetVersionAsync(string agent, int number, CancellationToken cancellationToken)
    {
        if (_versions.TryGetValue((agent, number), out var cached))
        {
            return Task.FromResult<AgentVersion?>(cached);
        }

        return Guard("get version", cancellationToken, async () =>
        {
            var json = await _db.HashGetAsync(_keys.Versions(agent), number);
            return json.IsNull ? null : Cache(agent, Deserialize<AgentVersion>(json));
        });
    }

    public Task<IReadOnlyList<AgentVersion>> ListVersionsAsync(string agent, CancellationToken cancellationToken) => Guard<IReadOnlyList<AgentVersion>>("list versions", cancellationToken, async () =>
    {
        // Numbers are 1..count without gaps (the add script enforces it), so only the uncached ones are fetched.
        var count = (int)await _db.HashLengthAsync(_keys.Versions(agent));
        var missing = Enumerable.Range(1, count).Where(n => !_versions.ContainsKey((agent, n))).ToArray();
        if (missing.Length > 0)
        {
            var values = await _db.HashGetAsync(_keys.Versions(agent), missing.Select(n => (RedisValue)n).ToArray());
            foreach (var json in values.Where(v => !v.IsNull))
            {
                Cache(agent, Deserialize<AgentVersion>(json));
            }
        }

        return Enumerable.Range(1, count)
            .Select(n => _versions.TryGetValue((agent, n), out var v) ? v : null)
            .OfType<AgentVersion>()
            .ToArray();
    });

    public Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string agent, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0)
        {
            return Task.FromResult<IReadOnlyList<HistoryEvent>>([]);
        }

        return Guard<IReadOnlyList<HistoryEvent>>("read history", cancellationToken, async () =>
        {
            var events = (await _db.ListRangeAsync(_keys.History(agent), 0, limit - 1)).Select(Deserialize<HistoryEvent>).ToArray();
            if (events.Length == 0)
            {
                return events;
            }

            var times = await _db.HashGetAsync(_keys.ApplyTimes(agent), events.Select(e => (RedisValue)e.Id).ToArray());
            return events.Select((e, i) => !times[i].IsNull && times[i].TryParse(out double ms) ? e with { ApplyMs = ms } : e).ToArray();
        });
    }

    public Task RecordApplyTimeAsync(string agent, string eventId, double applyMs, CancellationToken cancellationToken)
        => Guard("record apply time", cancellationToken, () => _db.HashSetAsync(_keys.ApplyTimes(agent), eventId, applyMs));

    public Task<string> GetEpochAsync(CancellationToken cancellationToken) => Guard("read epoch", cancellationToken, ReadEpochAsync);

    public IDisposable Watch(Action<string> onChange, Action<string>? onEpoch = null) => _changes.Add(onChange, onEpoch);

    public Task HeartbeatAsync(string replicaId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replicaId);
        return Guard("heartbeat", cancellationToken, async () =>
        {
            await Heartbeat(replicaId);
            return true;
        });
    }

    public Task<bool> TryAcquireLeaseAsync(string name, string owner, TimeSpan ttl, CancellationToken cancellationToken)
        => Guard("acquire lease", cancellationToken, async () =>
            (int)await _db.ScriptEvaluateAsync(RedisScripts.AcquireLease, [_keys.Lease(name)], [owner, (long)ttl.TotalMilliseconds]) == 1);

    public Task AcknowledgeAsync(string replicaId, string agent, long generation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(replicaId);
        return Guard("acknowledge", cancellationToken, async () =>
        {
            await Task.WhenAll(
                _db.ScriptEvaluateAsync(RedisScripts.Acknowledge, [_keys.Acks(agent)], [replicaId, generation]),
                Heartbeat(replicaId));
            return true;
        });
    }

    public Task<FleetAcks> GetAcksAsync(string agent, long generation, CancellationToken cancellationToken) => Guard("read acks", cancellationToken, async () =>
    {
        var liveSince = _time.GetUtcNow().ToUnixTimeMilliseconds() - (long)_options.ReplicaTimeout.TotalMilliseconds;
        var live = await _db.SortedSetRangeByScoreAsync(_keys.Replicas, liveSince, double.PositiveInfinity);
        if (live.Length == 0)
        {
            // Like the file store: the fleet is never smaller than the replica asking, so All stays false until someone acks.
            return new FleetAcks(0, 1);
        }

        var acks = await _db.HashGetAsync(_keys.Acks(agent), live);
        var acked = acks.Count(a => !a.IsNull && (long)a >= generation);
        return new FleetAcks(acked, live.Length);
    });

    public Task<IReadOnlyList<ToolRecord>> ListToolsAsync(CancellationToken cancellationToken) => Guard<IReadOnlyList<ToolRecord>>("list tools", cancellationToken, async () =>
        (await _db.HashValuesAsync(_keys.ToolRecords)).Select(Deserialize<ToolRecord>).OrderBy(t => t.Name, StringComparer.Ordinal).ToArray());

    public Task<ToolRecord?> GetToolAsync(string tool, CancellationToken cancellationToken) => Guard("get tool", cancellationToken, async () =>
    {
        var json = await _db.HashGetAsync(_keys.ToolRecords, tool);
        return json.IsNull ? null : Deserialize<ToolRecord>(json);
    });

    public Task<bool> TryCommitToolAsync(string tool, long expectedGeneration, ToolRecord? next, HistoryEvent historyEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(historyEvent);
        return Guard("commit tool", cancellationToken, async () => (long)await _db.ScriptEvaluateAsync(
            RedisScripts.CommitTool,
            [_keys.ToolRecords, _keys.ToolGenerations, _keys.ToolHistory(tool)],
            [tool, expectedGeneration, next is null ? RedisValue.EmptyString : Serialize(next), Serialize(historyEvent), _keys.ToolChangesName]) == 1,
            maybeApplied: true);
    }

    public Task<IReadOnlyList<HistoryEvent>> GetToolHistoryAsync(string tool, int limit, CancellationToken cancellationToken)
        => limit <= 0
            ? Task.FromResult<IReadOnlyList<HistoryEvent>>([])
            : Guard<IReadOnlyList<HistoryEvent>>("read tool history", cancellationToken, async () =>
                (await _db.ListRangeAsync(_keys.ToolHistory(tool), 0, limit - 1)).Select(Deserialize<HistoryEvent>).ToArray());

    public IDisposable WatchTools(Action onChange) => RedisNotifications.Subscribe(_connection, _keys.ToolChanges, onChange, _logger);

    public Task<EvalSuiteRecord?> GetEvalSuiteAsync(string agent, string suite, CancellationToken cancellationToken) => Guard("get eval suite", cancellationToken, async () =>
    {
        var json = await _db.HashGetAsync(_keys.EvalSuites(agent), suite);
        return json.IsNull ? null : Deserialize<EvalSuiteRecord>(json);
    });

    public Task<bool> TryCommitEvalSuiteAsync(EvalSuiteRecord next, CancellationToken cancellationToken) => Guard("commit eval suite", cancellationToken, async () =>
        (long)await _db.ScriptEvaluateAsync(
            RedisScripts.CommitEvalSuite,
            [_keys.EvalSuites(next.Agent), _keys.EvalSuiteGenerations(next.Agent)],
            [next.Name, next.Generation, Serialize(next)]) == 1,
        maybeApplied: true);

    public Task RecordEvalResultAsync(EvalResult result, HistoryEvent historyEvent, CancellationToken cancellationToken) => Guard("record eval result", cancellationToken, async () =>
        (long)await _db.ScriptEvaluateAsync(
            RedisScripts.RecordEvalResult,
            [_keys.EvalResults(result.Agent), _keys.History(result.Agent)],
            [result.Id, Serialize(result), Serialize(historyEvent)]),
        maybeApplied: true);

    public Task<EvalResult?> GetEvalResultAsync(string agent, string suite, string id, CancellationToken cancellationToken) => Guard("get eval result", cancellationToken, async () =>
    {
        var json = await _db.HashGetAsync(_keys.EvalResults(agent), id);
        return json.IsNull ? null : Deserialize<EvalResult>(json) is { } result && result.Suite == suite ? result : null;
    });

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _changes.DisposeAsync();
        await _connection.CloseAsync(allowCommandsToComplete: false);
        await _connection.DisposeAsync();
    }

    private async Task Heartbeat(string replicaId)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        await Task.WhenAll(
            _db.SortedSetAddAsync(_keys.Replicas, replicaId, now),
            _db.SortedSetRemoveRangeByScoreAsync(_keys.Replicas, double.NegativeInfinity, now - (long)_options.ReplicaRetention.TotalMilliseconds, Exclude.Stop));
    }

    private async Task<AgentVersion> LoadVersionAsync(string agent, int number)
    {
        if (_versions.TryGetValue((agent, number), out var cached))
        {
            return cached;
        }

        var json = await _db.HashGetAsync(_keys.Versions(agent), number);
        return json.IsNull
            ? throw new InvalidDataException($"Version {number} of agent '{agent}' is referenced by its content hash but missing.")
            : Cache(agent, Deserialize<AgentVersion>(json));
    }

    private AgentVersion Cache(string agent, AgentVersion version) => _versions.GetOrAdd((agent, version.Number), version);

    /// <summary>Reads the epoch, creating it in a new or reset store; a new one voids what was cached from the old data.</summary>
    private async Task<string> ReadEpochAsync()
    {
        var epoch = (string)(await _db.ScriptEvaluateAsync(RedisScripts.Epoch, [_keys.Epoch], [Guid.NewGuid().ToString("N")]))!;
        var previous = Interlocked.Exchange(ref _epoch, epoch);
        if (previous is not null && previous != epoch)
        {
            _versions.Clear();
            LogReset(_logger, previous, epoch);
        }

        return epoch;
    }

    /// <remarks>Redis commands cannot be cancelled once sent, so cancellation is honoured only before the first one.</remarks>
    private static Task<T> Guard<T>(string operation, CancellationToken cancellationToken, Func<Task<T>> action, bool maybeApplied = false)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return RedisFailures.Guard(operation, action, maybeApplied);
    }

    [LoggerMessage(400, LogLevel.Warning, "Redis no longer holds the data this replica read (store epoch {Previous} is now {Epoch}): " +
        "it was flushed, restarted without persistence or failed over to an empty replica. Following what it holds now.")]
    private static partial void LogReset(ILogger logger, string previous, string epoch);

    private static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, RollgateJson.Options);

    private static T Deserialize<T>(RedisValue json) => Deserialize<T>((byte[])json!);

    private static T Deserialize<T>(byte[] json)
        => JsonSerializer.Deserialize<T>(json, RollgateJson.Options)
           ?? throw new InvalidDataException($"Redis holds a null {typeof(T).Name}.");
}
