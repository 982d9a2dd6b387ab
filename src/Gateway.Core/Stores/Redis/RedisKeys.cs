using StackExchange.Redis;

namespace Rollgate.Stores.Redis;

/// <summary>
/// Key layout. An agent's keys share the hash tag <c>{agent}</c>, so they live in one slot and a Lua script may
/// touch them together, also on Redis Cluster. The agent set and the replica set are global (other slots) and are
/// never written by the same script as an agent's keys.
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    /// <summary>Hash: <c>generation</c>, <c>record</c> (AgentRecord JSON).</summary>
    public RedisKey State(string agent) => $"{prefix}:{{{agent}}}:state";

    /// <summary>List of HistoryEvent JSON, newest first (LPUSH).</summary>
    public RedisKey History(string agent) => $"{prefix}:{{{agent}}}:history";

    /// <summary>Hash: history event id → milliseconds from decision to routing (measured after the commit).</summary>
    public RedisKey ApplyTimes(string agent) => $"{prefix}:{{{agent}}}:applytimes";

    /// <summary>Hash: version number → AgentVersion JSON.</summary>
    public RedisKey Versions(string agent) => $"{prefix}:{{{agent}}}:versions";

    /// <summary>Hash: content hash → version number (dedupe).</summary>
    public RedisKey VersionHashes(string agent) => $"{prefix}:{{{agent}}}:vhash";

    /// <summary>Hash: replica id → highest generation of the agent that replica routes by.</summary>
    public RedisKey Acks(string agent) => $"{prefix}:{{{agent}}}:acks";

    /// <summary>
    /// String: the store's epoch, a random id written once when the store is first used. Missing or different means
    /// the data was reset (see <see cref="IRollgateStore.GetEpochAsync"/>).
    /// </summary>
    public RedisKey Epoch => $"{prefix}:epoch";

    /// <summary>Set of agent names (an agent listed here without a record is skipped).</summary>
    public RedisKey Agents => $"{prefix}:agents";

    /// <summary>Sorted set: replica id → last heartbeat (unix ms).</summary>
    public RedisKey Replicas => $"{prefix}:replicas";

    /// <summary>String: the owner of a lease (e.g. the rule evaluator), with an expiry.</summary>
    public RedisKey Lease(string name) => $"{prefix}:lease:{name}";

    /// <summary>Pub/sub channel; each message is the name of an agent that changed.</summary>
    public RedisChannel Changes => RedisChannel.Literal($"{prefix}:changes");

    public string ChangesName => $"{prefix}:changes";
}
