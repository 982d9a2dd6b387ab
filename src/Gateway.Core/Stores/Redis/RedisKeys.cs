using System.Globalization;
using StackExchange.Redis;

namespace Rollgate.Stores.Redis;

/// <summary>
/// The one place Redis key names are made, for every Redis-backed part of a replica (store, change feed, figures,
/// request ledger, rule states, rule memory). An agent's keys share the hash tag <c>{agent}</c>, so they live in one
/// slot and a Lua script may touch them together, also on Redis Cluster. The agent set, the replica set, the epoch and
/// the leases are global (other slots) and are never written by the same script as an agent's keys.
/// </summary>
/// <remarks>Names are data: a fleet's Redis outlives the build that wrote it, so a name never changes.</remarks>
internal sealed class RedisKeys
{
    /// <summary>The first segment of every key when none is configured.</summary>
    public const string DefaultPrefix = "rollgate";

    /// <summary>What <see cref="IsValidPrefix"/> checks, in words.</summary>
    public const string PrefixRule = "must be non-empty and must not contain '{' or '}' (they would change the hash slot)";

    private readonly string _prefix;

    /// <exception cref="ArgumentException">The prefix is not a <see cref="IsValidPrefix">valid prefix</see>.</exception>
    public RedisKeys(string prefix)
    {
        if (!IsValidPrefix(prefix))
        {
            throw new ArgumentException($"The key prefix {PrefixRule}.", nameof(prefix));
        }

        _prefix = prefix;
        ChangesName = $"{prefix}:changes";
        Changes = RedisChannel.Literal(ChangesName);
        ToolChangesName = $"{prefix}:toolchanges";
        ToolChanges = RedisChannel.Literal(ToolChangesName);
        CircuitChanges = RedisChannel.Literal($"{prefix}:circuitchanges");
    }

    public static bool IsValidPrefix(string? prefix) => !string.IsNullOrWhiteSpace(prefix) && prefix.IndexOfAny(['{', '}']) < 0;

    /// <summary>Hash: <c>generation</c>, <c>record</c> (AgentRecord JSON).</summary>
    public RedisKey State(string agent) => Agent(agent, "state");

    /// <summary>List of HistoryEvent JSON, newest first (LPUSH).</summary>
    public RedisKey History(string agent) => Agent(agent, "history");

    /// <summary>Hash: history event id → milliseconds from decision to routing (measured after the commit).</summary>
    public RedisKey ApplyTimes(string agent) => Agent(agent, "applytimes");

    /// <summary>Hash: suite name → EvalSuiteRecord JSON.</summary>
    public RedisKey EvalSuites(string agent) => Agent(agent, "evals");

    /// <summary>Hash: suite name → its generation.</summary>
    public RedisKey EvalSuiteGenerations(string agent) => Agent(agent, "evalgens");

    /// <summary>Hash: eval result id → EvalResult JSON.</summary>
    public RedisKey EvalResults(string agent) => Agent(agent, "evalresults");

    /// <summary>Float: what the agent's judge cost on a UTC day, across the fleet (INCRBYFLOAT).</summary>
    public RedisKey JudgeSpend(string agent, DateOnly day) => Agent(agent, "judgespend:" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    /// <summary>Hash: version number → AgentVersion JSON.</summary>
    public RedisKey Versions(string agent) => Agent(agent, "versions");

    /// <summary>Hash: content hash → version number (dedupe).</summary>
    public RedisKey VersionHashes(string agent) => Agent(agent, "vhash");

    /// <summary>Hash: replica id → highest generation of the agent that replica routes by.</summary>
    public RedisKey Acks(string agent) => Agent(agent, "acks");

    /// <summary>Hash of one second's figures, fields per version (see <see cref="RedisFigureStore"/>).</summary>
    public RedisKey FigureSecond(string agent, long unixSecond) => Agent(agent, "fig:", unixSecond);

    /// <summary>Hash of one minute's figures, the same fields summed.</summary>
    public RedisKey FigureMinute(string agent, long unixMinute) => Agent(agent, "figm:", unixMinute);

    /// <summary>Hash of one hour's request ids: request id → version (see <see cref="RedisRequestLedger"/>).</summary>
    public RedisKey Requests(string agent, long unixHour) => Agent(agent, "req:", unixHour);

    /// <summary>String: the rule states the controller published last (JSON), with a short expiry.</summary>
    public RedisKey RuleStates(string agent) => Agent(agent, "rules");

    /// <summary>String: what the rule evaluator carries from one evaluation to the next (JSON).</summary>
    public RedisKey RuleMemory(string agent) => Agent(agent, "rulememory");

    /// <summary>
    /// String: the store's epoch, a random id written once when the store is first used. Missing or different means
    /// the data was reset (see <see cref="IRollgateStore.GetEpochAsync"/>).
    /// </summary>
    public RedisKey Epoch => $"{_prefix}:epoch";

    /// <summary>Set of agent names (an agent listed here without a record is skipped).</summary>
    public RedisKey Agents => $"{_prefix}:agents";

    /// <summary>Sorted set: replica id → last heartbeat (unix ms).</summary>
    public RedisKey Replicas => $"{_prefix}:replicas";

    /// <summary>String: the owner of a lease (e.g. the rule evaluator), with an expiry.</summary>
    public RedisKey Lease(string name) => $"{_prefix}:lease:{name}";

    /// <summary>Hash: tool name → ToolRecord JSON. The tool keys share the hash tag <c>{tools}</c>, so one script writes them together.</summary>
    public RedisKey ToolRecords => $"{_prefix}:{{tools}}:records";

    /// <summary>Hash: tool name → its generation (absent once deleted).</summary>
    public RedisKey ToolGenerations => $"{_prefix}:{{tools}}:generations";

    /// <summary>List of a tool's HistoryEvent JSON, newest first.</summary>
    public RedisKey ToolHistory(string tool) => $"{_prefix}:{{tools}}:history:{tool}";

    /// <summary>Hash: replica id → JSON array of that replica's circuit reports (see <see cref="RedisCircuitBoard"/>).</summary>
    public RedisKey Circuits => $"{_prefix}:{{tools}}:circuits";

    /// <summary>Pub/sub channel; each message is the name of a tool that changed.</summary>
    public RedisChannel ToolChanges { get; }

    /// <summary>The name of <see cref="ToolChanges"/>, for scripts that publish to it.</summary>
    public string ToolChangesName { get; }

    /// <summary>Pub/sub channel; each message is the id of a replica whose circuits changed state.</summary>
    public RedisChannel CircuitChanges { get; }

    /// <summary>Pub/sub channel; each message is the name of an agent that changed.</summary>
    public RedisChannel Changes { get; }

    /// <summary>The name of <see cref="Changes"/>, for scripts that publish to it.</summary>
    public string ChangesName { get; }

    private RedisKey Agent(string agent, string suffix) => $"{_prefix}:{{{agent}}}:{suffix}";

    private RedisKey Agent(string agent, string kind, long unixTime) => $"{_prefix}:{{{agent}}}:{kind}{unixTime.ToString(CultureInfo.InvariantCulture)}";
}
