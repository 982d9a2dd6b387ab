using Rollgate.Release;
using Rollgate.Stores;
using Rollgate.Evals;
using Rollgate.Tools;
using Rollgate.Versions;

namespace Rollgate.Tests.Infrastructure;

/// <summary>A real store that a test changes in one or two calls (a failure, a count) by overriding them.</summary>
public class DelegatingStore(IRollgateStore inner) : IRollgateStore
{
    public string Kind => inner.Kind;

    public virtual Task<IReadOnlyList<string>> ListAgentsAsync(CancellationToken cancellationToken) => inner.ListAgentsAsync(cancellationToken);

    public virtual Task<AgentRecord?> GetAgentAsync(string agent, CancellationToken cancellationToken) => inner.GetAgentAsync(agent, cancellationToken);

    public virtual Task<bool> TryCommitAsync(AgentRecord next, HistoryEvent historyEvent, CancellationToken cancellationToken)
        => inner.TryCommitAsync(next, historyEvent, cancellationToken);

    public virtual Task<VersionAddResult> AddVersionAsync(string agent, string contentHash, Func<int, AgentVersion> create, CancellationToken cancellationToken)
        => inner.AddVersionAsync(agent, contentHash, create, cancellationToken);

    public virtual Task<AgentVersion?> GetVersionAsync(string agent, int number, CancellationToken cancellationToken) => inner.GetVersionAsync(agent, number, cancellationToken);

    public virtual Task<IReadOnlyList<AgentVersion>> ListVersionsAsync(string agent, CancellationToken cancellationToken) => inner.ListVersionsAsync(agent, cancellationToken);

    public virtual Task RecordApplyTimeAsync(string agent, string eventId, double applyMs, CancellationToken cancellationToken)
        => inner.RecordApplyTimeAsync(agent, eventId, applyMs, cancellationToken);

    public virtual Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string agent, int limit, CancellationToken cancellationToken)
        => inner.GetHistoryAsync(agent, limit, cancellationToken);

    public virtual Task<string> GetEpochAsync(CancellationToken cancellationToken) => inner.GetEpochAsync(cancellationToken);

    public virtual IDisposable Watch(Action<string> onChange, Action<string>? onEpoch = null) => inner.Watch(onChange, onEpoch);

    public virtual Task HeartbeatAsync(string replicaId, CancellationToken cancellationToken) => inner.HeartbeatAsync(replicaId, cancellationToken);

    public virtual Task AcknowledgeAsync(string replicaId, string agent, long generation, CancellationToken cancellationToken)
        => inner.AcknowledgeAsync(replicaId, agent, generation, cancellationToken);

    public virtual Task<bool> TryAcquireLeaseAsync(string name, string owner, TimeSpan ttl, CancellationToken cancellationToken)
        => inner.TryAcquireLeaseAsync(name, owner, ttl, cancellationToken);

    public virtual Task<FleetAcks> GetAcksAsync(string agent, long generation, CancellationToken cancellationToken) => inner.GetAcksAsync(agent, generation, cancellationToken);

    public virtual Task<IReadOnlyList<ToolRecord>> ListToolsAsync(CancellationToken cancellationToken) => inner.ListToolsAsync(cancellationToken);

    public virtual Task<ToolRecord?> GetToolAsync(string tool, CancellationToken cancellationToken) => inner.GetToolAsync(tool, cancellationToken);

    public virtual Task<bool> TryCommitToolAsync(string tool, long expectedGeneration, ToolRecord? next, HistoryEvent historyEvent, CancellationToken cancellationToken)
        => inner.TryCommitToolAsync(tool, expectedGeneration, next, historyEvent, cancellationToken);

    public virtual Task<IReadOnlyList<HistoryEvent>> GetToolHistoryAsync(string tool, int limit, CancellationToken cancellationToken)
        => inner.GetToolHistoryAsync(tool, limit, cancellationToken);

    public virtual IDisposable WatchTools(Action onChange) => inner.WatchTools(onChange);

    public virtual Task<EvalSuiteRecord?> GetEvalSuiteAsync(string agent, string suite, CancellationToken cancellationToken) => inner.GetEvalSuiteAsync(agent, suite, cancellationToken);

    public virtual Task<bool> TryCommitEvalSuiteAsync(EvalSuiteRecord next, CancellationToken cancellationToken) => inner.TryCommitEvalSuiteAsync(next, cancellationToken);

    public virtual Task RecordEvalResultAsync(EvalResult result, HistoryEvent historyEvent, CancellationToken cancellationToken)
        => inner.RecordEvalResultAsync(result, historyEvent, cancellationToken);

    public virtual Task<EvalResult?> GetEvalResultAsync(string agent, string suite, string id, CancellationToken cancellationToken)
        => inner.GetEvalResultAsync(agent, suite, id, cancellationToken);

    /// <summary>The test owns the inner store and disposes of it.</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
