namespace Rollgate.Stores.Redis;

/// <summary>
/// Lua scripts: Redis runs each one atomically, so a check and the writes it guards can never interleave with
/// another replica's. Every script touches only keys of one agent (one hash slot).
/// </summary>
internal static class RedisScripts
{
    /// <summary>
    /// KEYS: state, history. ARGV: next generation, record JSON, event JSON, channel, agent.
    /// Returns 1 when committed, 0 when the stored generation (missing = 0) is not next - 1.
    /// </summary>
    public const string Commit = """
        local current = tonumber(redis.call('HGET', KEYS[1], 'generation') or '0')
        if current ~= tonumber(ARGV[1]) - 1 then
          return 0
        end
        redis.call('HSET', KEYS[1], 'generation', ARGV[1], 'record', ARGV[2])
        redis.call('LPUSH', KEYS[2], ARGV[3])
        redis.call('PUBLISH', ARGV[4], ARGV[5])
        return 1
        """;

    /// <summary>
    /// KEYS: versions, vhash. ARGV: number, content hash, version JSON, channel, agent.
    /// Returns {0, n} when added as n; {1, n} when version n already has this content;
    /// {2, n} when the number is taken and n is the next free one. Numbers stay 1..count without gaps.
    /// </summary>
    public const string AddVersion = """
        local existing = redis.call('HGET', KEYS[2], ARGV[2])
        if existing then
          return {1, tonumber(existing)}
        end
        local expected = redis.call('HLEN', KEYS[1]) + 1
        if tonumber(ARGV[1]) ~= expected then
          return {2, expected}
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
        redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
        redis.call('PUBLISH', ARGV[4], ARGV[5])
        return {0, expected}
        """;

    /// <summary>KEYS: acks. ARGV: replica id, generation. Keeps the highest generation a replica reported.</summary>
    public const string Acknowledge = """
        local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
        if tonumber(ARGV[2]) > current then
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
          return 1
        end
        return 0
        """;

    /// <summary>
    /// KEYS: lease. ARGV: owner, ttl ms. Takes a free (or expired) lease or renews one already held; returns 1 when
    /// <c>ARGV[1]</c> holds the lease afterwards.
    /// </summary>
    public const string AcquireLease = """
        local holder = redis.call('GET', KEYS[1])
        if holder == false or holder == ARGV[1] then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          return 1
        end
        return 0
        """;

    /// <summary>
    /// KEYS: epoch. ARGV: a new random id. Returns the stored epoch, first writing <c>ARGV[1]</c> if there is none (a new
    /// or reset store), so every replica that asks gets the same one.
    /// </summary>
    public const string Epoch = """
        local epoch = redis.call('GET', KEYS[1])
        if epoch then
          return epoch
        end
        redis.call('SET', KEYS[1], ARGV[1])
        return ARGV[1]
        """;

    /// <summary>
    /// KEYS: tool records, tool generations, the tool's history. ARGV: tool, expected generation, record JSON (empty to
    /// delete), event JSON, channel. Returns 1 when committed, 0 when the stored generation (missing = 0) differs.
    /// </summary>
    public const string CommitTool = """
        local current = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
        if current ~= tonumber(ARGV[2]) then
          return 0
        end
        if ARGV[3] == '' then
          redis.call('HDEL', KEYS[1], ARGV[1])
          redis.call('HDEL', KEYS[2], ARGV[1])
        else
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
          redis.call('HSET', KEYS[2], ARGV[1], current + 1)
        end
        redis.call('LPUSH', KEYS[3], ARGV[4])
        redis.call('PUBLISH', ARGV[5], ARGV[1])
        return 1
        """;

    /// <summary>KEYS: suites, suite generations. ARGV: suite, next generation, record JSON.</summary>
    public const string CommitEvalSuite = """
        local current = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
        if current + 1 ~= tonumber(ARGV[2]) then
          return 0
        end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
        return 1
        """;

    /// <summary>KEYS: results, history. ARGV: result id, result JSON, history event JSON.</summary>
    public const string RecordEvalResult = """
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('LPUSH', KEYS[2], ARGV[3])
        return 1
        """;
}
