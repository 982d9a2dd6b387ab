using Rollgate.Evals;
using Rollgate.Release;
using Rollgate.Tools;
using Rollgate.Versions;

namespace Rollgate.Stores;

/// <summary>
/// Durable home of agents, versions and history. Every change of an agent is one compare-and-swap on its
/// generation that writes the record and its history event together, so readers see the old state or the
/// new one, never a mix.
/// </summary>
public interface IRollgateStore : IAsyncDisposable
{
    /// <summary><c>file</c> or <c>redis</c>.</summary>
    string Kind { get; }

    Task<IReadOnlyList<string>> ListAgentsAsync(CancellationToken cancellationToken);

    Task<AgentRecord?> GetAgentAsync(string agent, CancellationToken cancellationToken);

    /// <summary>
    /// Commits <paramref name="next"/> and <paramref name="historyEvent"/> atomically, if and only if the stored
    /// generation is <c>next.Generation - 1</c> (no record at all counts as generation 0).
    /// </summary>
    /// <returns><c>false</c> when another writer got there first; nothing was written.</returns>
    Task<bool> TryCommitAsync(AgentRecord next, HistoryEvent historyEvent, CancellationToken cancellationToken);

    /// <summary>
    /// Adds a version unless one with the same content hash exists. The store assigns the number and calls
    /// <paramref name="create"/> with it (possibly more than once under contention).
    /// </summary>
    Task<VersionAddResult> AddVersionAsync(string agent, string contentHash, Func<int, AgentVersion> create, CancellationToken cancellationToken);

    Task<AgentVersion?> GetVersionAsync(string agent, int number, CancellationToken cancellationToken);

    Task<IReadOnlyList<AgentVersion>> ListVersionsAsync(string agent, CancellationToken cancellationToken);

    /// <summary>
    /// Annotates a committed history event with how long the change took from decision to routing. Measured only
    /// after the commit, so it is stored beside the event; losing it in a crash loses a figure, never a change.
    /// </summary>
    Task RecordApplyTimeAsync(string agent, string eventId, double applyMs, CancellationToken cancellationToken);

    /// <summary>History events, newest first, with their apply times where recorded.</summary>
    Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string agent, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Identifies the data this store holds: a random id written once when the store is first used. A different id
    /// means the store was reset (Redis flushed, restarted without persistence, or failed over to an empty replica),
    /// so nothing read before it still holds. A missing id is created again, so a reset store gets a new one.
    /// </summary>
    Task<string> GetEpochAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Calls <paramref name="onChange"/> with the agent's name whenever any replica changed it (or added a version),
    /// and <paramref name="onEpoch"/> with the store's epoch (<see cref="GetEpochAsync"/>) at least once after the
    /// watch starts and whenever the epoch changes; after a change every agent is reported too.
    /// </summary>
    IDisposable Watch(Action<string> onChange, Action<string>? onEpoch = null);

    /// <summary>Announces that <paramref name="replicaId"/> is alive; replicas silent for 5 s no longer count in <see cref="GetAcksAsync"/>.</summary>
    Task HeartbeatAsync(string replicaId, CancellationToken cancellationToken);

    /// <summary>Records that <paramref name="replicaId"/> routes by <paramref name="generation"/> of the agent, and that it is alive.</summary>
    Task AcknowledgeAsync(string replicaId, string agent, long generation, CancellationToken cancellationToken);

    /// <summary>
    /// Acquires or renews the lease <paramref name="name"/> for <paramref name="owner"/> for <paramref name="ttl"/>.
    /// At most one owner holds a lease at a time; it lapses unless renewed, so a dead holder is replaced.
    /// </summary>
    /// <returns>True while <paramref name="owner"/> holds the lease.</returns>
    Task<bool> TryAcquireLeaseAsync(string name, string owner, TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>How many live replicas route by at least <paramref name="generation"/>.</summary>
    Task<FleetAcks> GetAcksAsync(string agent, long generation, CancellationToken cancellationToken);

    /// <summary>Every registered tool, by name.</summary>
    Task<IReadOnlyList<ToolRecord>> ListToolsAsync(CancellationToken cancellationToken);

    Task<ToolRecord?> GetToolAsync(string tool, CancellationToken cancellationToken);

    /// <summary>
    /// Registers or replaces the tool with <paramref name="next"/>, or deletes it when <paramref name="next"/> is null,
    /// together with <paramref name="historyEvent"/>, if and only if its stored generation is
    /// <paramref name="expectedGeneration"/> (an unregistered tool counts as generation 0).
    /// </summary>
    /// <returns><c>false</c> when another writer got there first; nothing was written.</returns>
    Task<bool> TryCommitToolAsync(string tool, long expectedGeneration, ToolRecord? next, HistoryEvent historyEvent, CancellationToken cancellationToken);

    /// <summary>A tool's history events (registered, changed, deleted), newest first; kept after the tool is deleted.</summary>
    Task<IReadOnlyList<HistoryEvent>> GetToolHistoryAsync(string tool, int limit, CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="onChange"/> whenever any replica changed a tool (and after a reconnect, when one may have been missed).</summary>
    IDisposable WatchTools(Action onChange);

    Task<EvalSuiteRecord?> GetEvalSuiteAsync(string agent, string suite, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="next"/> if and only if the stored suite's generation is <c>next.Generation - 1</c> (none counts as 0).</summary>
    /// <returns><c>false</c> when another writer got there first; nothing was written.</returns>
    Task<bool> TryCommitEvalSuiteAsync(EvalSuiteRecord next, CancellationToken cancellationToken);

    /// <summary>Stores a suite run's result and appends <paramref name="historyEvent"/> (type <c>eval</c>) to the agent's history, together.</summary>
    Task RecordEvalResultAsync(EvalResult result, HistoryEvent historyEvent, CancellationToken cancellationToken);

    Task<EvalResult?> GetEvalResultAsync(string agent, string suite, string id, CancellationToken cancellationToken);
}

public sealed record VersionAddResult(AgentVersion Version, bool Created);

public readonly record struct FleetAcks(int Acked, int Total)
{
    public bool All => Acked >= Total;
}
