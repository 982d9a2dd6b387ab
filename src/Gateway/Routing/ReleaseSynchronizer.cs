using System.Collections.Frozen;
using System.Threading.Channels;
using Rollgate.Observability;
using Rollgate.Release;
using Rollgate.Signals;
using Rollgate.Stores;
using Rollgate.Versions;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;

namespace Rollgate.Routing;

/// <summary>
/// Keeps this replica's routing equal to the store: applies commits made here at once, and changes made by other
/// replicas as soon as the store's change feed reports them. Control plane only; the data path just reads
/// <see cref="RoutingState"/>. If the store is unreachable the last table stays in force. If the store comes back
/// with other data (a new epoch: Redis flushed, or restarted without persistence), everything is reloaded from it
/// and routing follows what it now holds, even where that is an older generation or no agent at all.
/// </summary>
public sealed partial class ReleaseSynchronizer(
    IRollgateStore store,
    RoutingState routing,
    InMemoryConfigProvider proxyConfig,
    IProxyStateLookup proxyState,
    ProxyConfigBuilder configBuilder,
    VersionRoutes versionRoutes,
    ReplicaIdentity replica,
    SignalRecorder recorder,
    TimeProvider timeProvider,
    ILogger<ReleaseSynchronizer> logger) : BackgroundService, IReleaseApplier
{
    private static readonly TimeSpan HeartbeatPeriod = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LoadRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ProxyConfigTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ProxyConfigPoll = TimeSpan.FromMilliseconds(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, AgentSnapshot> _agents = new(StringComparer.Ordinal);
    private readonly Channel<StoreChange> _changes = Channel.CreateUnbounded<StoreChange>(new UnboundedChannelOptions { SingleReader = true });
    // Written under _gate, together with the routing loaded from that epoch.
    private string? _epoch;

    /// <summary>The epoch of the store data this replica routes by; null until the first load.</summary>
    public string? Epoch => Volatile.Read(ref _epoch);

    public async ValueTask<long> ApplyCommittedAsync(AgentRecord record, CancellationToken cancellationToken)
    {
        long applied;
        var behind = false;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_agents.TryGetValue(record.Name, out var known) && known.Record.Generation >= record.Generation)
            {
                behind = known.Record.Generation > record.Generation;
                applied = timeProvider.GetTimestamp();
            }
            else
            {
                var versions = known?.Versions;
                if (versions is null || !References(record).All(versions.ContainsKey))
                {
                    versions = await LoadVersionsAsync(record.Name, cancellationToken);
                }

                applied = await PublishAsync(new AgentSnapshot(record, versions), cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }

        if (behind)
        {
            // This replica routes by a newer generation than the one it just committed: another replica committed
            // since, or the store was reset and generations started over. The epoch tells which.
            return await FollowEpochAsync(cancellationToken) ? timeProvider.GetTimestamp() : applied;
        }

        // Outside the gate: acknowledging only ever raises the stored generation, and nothing waits for it here.
        await AcknowledgeAsync(record, cancellationToken);
        return applied;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = store.Watch(
            agent => _changes.Writer.TryWrite(new StoreChange(agent, null)),
            epoch => _changes.Writer.TryWrite(new StoreChange(null, epoch)));
        _ = HeartbeatAsync(stoppingToken);
        await LoadAllAsync(stoppingToken);
        await foreach (var change in _changes.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                if (change.Agent is { } agent)
                {
                    await RefreshAsync(agent, stoppingToken);
                }
                else if (change.Epoch != Epoch)
                {
                    await ReloadAsync(stoppingToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Keep routing by the last state; the store's safety-net poll reports the agent (and the epoch) again.
                LogRefreshFailed(logger, ex, change.Agent ?? "(all)");
            }
        }
    }

    private async Task LoadAllAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ReloadAsync(cancellationToken);
                LogLoaded(logger, store.Kind, routing.Current.ByEntryRoute.Count);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogLoadFailed(logger, ex, attempt);
                await Task.Delay(LoadRetryDelay, timeProvider, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Loads every agent from the store and routes by exactly that. Within one epoch nothing goes back (a commit
    /// applied here meanwhile is kept); from a new epoch, agents the store no longer has stop routing and the others
    /// route by what the store holds, whatever their generation.
    /// </summary>
    private async Task ReloadAsync(CancellationToken cancellationToken)
    {
        // The epoch first: what is listed after it belongs to that epoch or a later one, which is reported again.
        var epoch = await store.GetEpochAsync(cancellationToken);
        var loaded = new Dictionary<string, AgentSnapshot>(StringComparer.Ordinal);
        foreach (var agent in await store.ListAgentsAsync(cancellationToken))
        {
            if (await store.GetAgentAsync(agent, cancellationToken) is { } record)
            {
                loaded[agent] = new AgentSnapshot(record, await LoadVersionsAsync(agent, cancellationToken));
            }
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_epoch is null || _epoch == epoch)
            {
                foreach (var (name, known) in _agents)
                {
                    if (!loaded.TryGetValue(name, out var read) || read.Record.Generation < known.Record.Generation)
                    {
                        loaded[name] = known;
                    }
                }
            }
            else
            {
                LogStoreReset(logger, store.Kind, _epoch, epoch, _agents.Count, loaded.Count);
            }

            await PublishAllAsync(loaded.Values, cancellationToken);
            Volatile.Write(ref _epoch, epoch);
        }
        finally
        {
            _gate.Release();
        }

        foreach (var snapshot in loaded.Values)
        {
            await AcknowledgeAsync(snapshot.Record, cancellationToken);
        }
    }

    /// <returns>True when the store turned out to be reset, and routing was reloaded from it.</returns>
    private async Task<bool> FollowEpochAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await store.GetEpochAsync(cancellationToken) == Epoch)
            {
                return false;
            }

            await ReloadAsync(cancellationToken);
            return true;
        }
        catch (StoreUnavailableException ex)
        {
            // The safety-net poll compares the epoch again once the store answers.
            LogEpochUnreadable(logger, ex);
            return false;
        }
    }

    private async Task RefreshAsync(string agent, CancellationToken cancellationToken)
    {
        // Read before taking the gate, so a change made here (ApplyCommittedAsync) never waits behind store reads.
        var record = await store.GetAgentAsync(agent, cancellationToken);
        var versions = record is null ? null : await LoadVersionsAsync(agent, cancellationToken);
        AgentRecord? published = null;
        bool wentBack;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _agents.TryGetValue(agent, out var known);
            wentBack = known is not null && (record is null || record.Generation < known.Record.Generation);
            if (record is not null && (known is null || known.Versions.Count < versions!.Count || known.Record.Generation < record.Generation))
            {
                // Never go back: a newer commit may have been applied while this refresh was reading.
                published = known is not null && known.Record.Generation > record.Generation ? known.Record : record;
                await PublishAsync(new AgentSnapshot(published, versions!), cancellationToken);
            }
        }
        finally
        {
            _gate.Release();
        }

        if (published is not null)
        {
            await AcknowledgeAsync(published, cancellationToken);
        }

        if (wentBack)
        {
            // The store holds less than this replica routes by: a commit applied here while this read was under way
            // explains that, and so does a reset store, which lost agents and counts generations from 1 again.
            await FollowEpochAsync(cancellationToken);
        }
    }

    /// <summary>Installs the agent: YARP clusters (only when versions or paths changed) and version routes first, then one table swap.</summary>
    private async Task<long> PublishAsync(AgentSnapshot snapshot, CancellationToken cancellationToken)
    {
        _agents.TryGetValue(snapshot.Record.Name, out var previous);
        _agents[snapshot.Record.Name] = snapshot;
        // Moving traffic between versions never touches YARP; only a new agent, new paths or a new backend do.
        var sameShape = previous is not null && SameProxyShape(previous, snapshot);
        if (!sameShape && !configBuilder.Covers(snapshot))
        {
            var (routes, clusters, changed) = configBuilder.Build(_agents.Values);
            if (changed)
            {
                proxyConfig.Update(routes, clusters);
                await WaitForProxyConfigAsync(snapshot, cancellationToken);
            }
        }

        versionRoutes.Install(snapshot, proxyState);
        routing.Current.ByEntryRoute.TryGetValue(ProxyIds.EntryRoute(snapshot.Record.Name), out var previousRoute);
        var route = AgentRouteBuilder.Build(snapshot, recorder, sameShape ? previousRoute?.Previews : null, previousRoute?.Previews);
        var entries = routing.Current.ByEntryRoute.ToDictionary(StringComparer.Ordinal);
        entries[ProxyIds.EntryRoute(snapshot.Record.Name)] = route;
        routing.Publish(new RoutingTable(entries.ToFrozenDictionary(StringComparer.Ordinal)));
        var applied = timeProvider.GetTimestamp();
        UpdateGauges(route);
        UpdateDrillGauge(snapshot.Record);
        return applied;
    }

    /// <summary>Installs exactly <paramref name="snapshots"/>: agents not among them stop routing (unknown agent).</summary>
    private async Task PublishAllAsync(IReadOnlyCollection<AgentSnapshot> snapshots, CancellationToken cancellationToken)
    {
        var dropped = _agents.Keys.Except(snapshots.Select(s => s.Record.Name), StringComparer.Ordinal).ToArray();
        _agents.Clear();
        foreach (var snapshot in snapshots)
        {
            _agents[snapshot.Record.Name] = snapshot;
        }

        var (routes, clusters, changed) = configBuilder.Build(_agents.Values);
        if (changed)
        {
            proxyConfig.Update(routes, clusters);
            foreach (var snapshot in snapshots)
            {
                await WaitForProxyConfigAsync(snapshot, cancellationToken);
            }
        }

        foreach (var snapshot in snapshots)
        {
            versionRoutes.Install(snapshot, proxyState);
        }

        var entries = snapshots.ToFrozenDictionary(s => ProxyIds.EntryRoute(s.Record.Name), s => AgentRouteBuilder.Build(s, recorder), StringComparer.Ordinal);
        routing.Publish(new RoutingTable(entries));
        foreach (var route in entries.Values)
        {
            UpdateGauges(route);
        }

        foreach (var snapshot in snapshots)
        {
            UpdateDrillGauge(snapshot.Record);
        }

        foreach (var name in dropped)
        {
            versionRoutes.Remove(name);
            RemoveGauges(name);
        }
    }

    /// <summary>Versions are immutable and only ever added, so the same count means the same versions.</summary>
    private static bool SameProxyShape(AgentSnapshot previous, AgentSnapshot next)
        => previous.Versions.Count == next.Versions.Count
           && previous.Record.Definition.PathPrefix == next.Record.Definition.PathPrefix
           && previous.Record.Definition.Hosts.SequenceEqual(next.Record.Definition.Hosts);

    /// <summary>YARP applies a config update asynchronously; a version's cluster must be there before traffic is sent to it.</summary>
    private async Task WaitForProxyConfigAsync(AgentSnapshot snapshot, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        foreach (var cluster in snapshot.Versions.Values.Select(v => BackendCluster.Of(v).Id).Distinct())
        {
            while (!proxyState.TryGetCluster(cluster, out _))
            {
                if (timeProvider.GetElapsedTime(started) > ProxyConfigTimeout)
                {
                    throw new InvalidOperationException($"YARP did not load the clusters of agent '{snapshot.Record.Name}' in time");
                }

                await Task.Delay(ProxyConfigPoll, timeProvider, cancellationToken);
            }
        }
    }

    private async Task<IReadOnlyDictionary<int, AgentVersion>> LoadVersionsAsync(string agent, CancellationToken cancellationToken)
        => (await store.ListVersionsAsync(agent, cancellationToken)).ToDictionary(v => v.Number);

    private async Task AcknowledgeAsync(AgentRecord record, CancellationToken cancellationToken)
    {
        try
        {
            await store.AcknowledgeAsync(replica.Id, record.Name, record.Generation, cancellationToken);
        }
        catch (StoreUnavailableException ex)
        {
            LogAckFailed(logger, ex, record.Generation, record.Name);
        }
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(HeartbeatPeriod, timeProvider);
        do
        {
            try
            {
                await store.HeartbeatAsync(replica.Id, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogHeartbeatFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    private static IEnumerable<int> References(AgentRecord record)
    {
        if (record.State.Stable is { } stable) yield return stable;
        if (record.State.Canary is { } canary) yield return canary;
        foreach (var degradation in record.Definition.Degradation) yield return degradation.RouteTo;
    }

    private static void RemoveGauges(string agent)
    {
        RollgateMetrics.ConfigGeneration.RemoveLabelled(agent);
        RollgateMetrics.CanaryPercent.RemoveLabelled(agent);
        RollgateMetrics.ActiveVersion.RemoveLabelled(agent, "stable");
        RollgateMetrics.ActiveVersion.RemoveLabelled(agent, "canary");
        AgentSeries.RemoveStatus(agent);
        RollgateMetrics.DrillLastSuccess.RemoveLabelled(agent);
    }

    /// <summary>Every replica shows when the agent's last drill passed, from the release state, whichever replica ran it.</summary>
    private static void UpdateDrillGauge(AgentRecord record)
    {
        if (record.State.Drill?.LastPassedAt is { } passed)
        {
            RollgateMetrics.DrillLastSuccess.WithLabels(record.Name).Set(passed.ToUnixTimeMilliseconds() / 1000d);
        }
        else
        {
            RollgateMetrics.DrillLastSuccess.RemoveLabelled(record.Name);
        }
    }

    private static void UpdateGauges(AgentRoute route)
    {
        RollgateMetrics.ConfigGeneration.WithLabels(route.Name).Set(route.Generation);
        RollgateMetrics.CanaryPercent.WithLabels(route.Name).Set(route.CanaryPercent);
        AgentSeries.SetStatus(route.Name, route.Status);
        AgentSeries.PublishRollbackSeries(route.Name);
        SetOrRemove("stable", route.Stable);
        SetOrRemove("canary", route.Canary);

        void SetOrRemove(string role, VersionTarget? target)
        {
            if (target is null)
            {
                RollgateMetrics.ActiveVersion.RemoveLabelled(route.Name, role);
            }
            else
            {
                RollgateMetrics.ActiveVersion.WithLabels(route.Name, role).Set(target.Number);
            }
        }
    }

    [LoggerMessage(300, LogLevel.Warning, "The {Store} store holds other data than this replica routes by (epoch {Previous} is now {Epoch}): " +
        "reloaded everything from it; {Before} agents were routed, {After} are now")]
    private static partial void LogStoreReset(ILogger logger, string store, string previous, string epoch, int before, int after);

    [LoggerMessage(301, LogLevel.Warning, "Could not refresh agent {Agent}; routing stays at its last known state")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception, string agent);

    [LoggerMessage(302, LogLevel.Information, "Release state loaded from the {Store} store: {Count} agents")]
    private static partial void LogLoaded(ILogger logger, string store, int count);

    [LoggerMessage(303, LogLevel.Warning, "Loading the release state failed (attempt {Attempt}); retrying")]
    private static partial void LogLoadFailed(ILogger logger, Exception exception, int attempt);

    [LoggerMessage(304, LogLevel.Debug, "Could not read the store's epoch")]
    private static partial void LogEpochUnreadable(ILogger logger, Exception exception);

    [LoggerMessage(305, LogLevel.Warning, "Could not acknowledge generation {Generation} of {Agent}")]
    private static partial void LogAckFailed(ILogger logger, Exception exception, long generation, string agent);

    [LoggerMessage(306, LogLevel.Debug, "Heartbeat failed")]
    private static partial void LogHeartbeatFailed(ILogger logger, Exception exception);

    /// <summary>What the store's watch reported: an agent that changed, or the store's epoch.</summary>
    private readonly record struct StoreChange(string? Agent, string? Epoch);
}
