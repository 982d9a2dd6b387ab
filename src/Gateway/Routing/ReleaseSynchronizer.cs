using System.Collections.Frozen;
using System.Diagnostics;
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
/// <see cref="RoutingState"/>. If the store is unreachable the last table stays in force.
/// </summary>
public sealed class ReleaseSynchronizer(
    IRollgateStore store,
    RoutingState routing,
    InMemoryConfigProvider proxyConfig,
    IProxyStateLookup proxyState,
    ProxyConfigBuilder configBuilder,
    ReplicaIdentity replica,
    SignalRecorder recorder,
    ILogger<ReleaseSynchronizer> logger) : BackgroundService, IReleaseApplier
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, AgentSnapshot> _agents = new(StringComparer.Ordinal);
    private readonly Channel<string> _changes = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private string _proxySignature = "";

    public async ValueTask<long> ApplyCommittedAsync(AgentRecord record, CancellationToken cancellationToken)
    {
        long applied;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_agents.TryGetValue(record.Name, out var known) && known.Record.Generation >= record.Generation)
            {
                return Stopwatch.GetTimestamp();
            }

            var versions = known?.Versions;
            if (versions is null || !References(record).All(versions.ContainsKey))
            {
                versions = await LoadVersionsAsync(record.Name, cancellationToken);
            }

            applied = await PublishAsync(new AgentSnapshot(record, versions), cancellationToken);
        }
        finally
        {
            _gate.Release();
        }

        // Outside the gate: acknowledging only ever raises the stored generation, and nothing waits for it here.
        await AcknowledgeAsync(record, cancellationToken);
        return applied;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = store.Watch(agent => _changes.Writer.TryWrite(agent));
        _ = HeartbeatAsync(stoppingToken);
        await LoadAllAsync(stoppingToken);
        await foreach (var agent in _changes.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await RefreshAsync(agent, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Keep routing by the last state; the store's safety-net poll reports the agent again.
                logger.LogWarning(ex, "Could not refresh agent {Agent}; routing stays at its last known state", agent);
            }
        }
    }

    private async Task LoadAllAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                foreach (var agent in await store.ListAgentsAsync(cancellationToken))
                {
                    await RefreshAsync(agent, cancellationToken);
                }

                if (!routing.Loaded)
                {
                    routing.Publish(routing.Current);
                }

                logger.LogInformation("Release state loaded from the {Store} store: {Count} agents", store.Kind, _agents.Count);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Loading the release state failed (attempt {Attempt}); retrying", attempt);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }
        }
    }

    private async Task RefreshAsync(string agent, CancellationToken cancellationToken)
    {
        // Read before taking the gate, so a change made here (ApplyCommittedAsync) never waits behind store reads.
        var record = await store.GetAgentAsync(agent, cancellationToken);
        if (record is null)
        {
            return;
        }

        var versions = await LoadVersionsAsync(agent, cancellationToken);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_agents.TryGetValue(agent, out var known))
            {
                if (known.Versions.Count >= versions.Count && known.Record.Generation >= record.Generation)
                {
                    return;
                }

                // Never go back: a newer commit may have been applied while this refresh was reading.
                record = known.Record.Generation > record.Generation ? known.Record : record;
            }

            await PublishAsync(new AgentSnapshot(record, versions), cancellationToken);
        }
        finally
        {
            _gate.Release();
        }

        await AcknowledgeAsync(record, cancellationToken);
    }

    /// <summary>Installs the agent: YARP clusters first (only when versions or paths changed), then one table swap.</summary>
    private async Task<long> PublishAsync(AgentSnapshot snapshot, CancellationToken cancellationToken)
    {
        _agents.TryGetValue(snapshot.Record.Name, out var previous);
        _agents[snapshot.Record.Name] = snapshot;
        // Moving traffic between versions never touches YARP; only new versions or new paths do.
        var sameShape = previous is not null && SameProxyShape(previous, snapshot);
        if (!sameShape)
        {
            var (routes, clusters, signature) = configBuilder.Build(_agents.Values);
            if (signature != _proxySignature)
            {
                proxyConfig.Update(routes, clusters);
                _proxySignature = signature;
                await WaitForProxyConfigAsync(snapshot, cancellationToken);
            }
        }

        routing.Current.ByEntryRoute.TryGetValue(ProxyIds.EntryRoute(snapshot.Record.Name), out var previousRoute);
        var route = AgentRouteBuilder.Build(snapshot, recorder, sameShape ? previousRoute?.Previews : null);
        var entries = routing.Current.ByEntryRoute.ToDictionary(StringComparer.Ordinal);
        entries[ProxyIds.EntryRoute(snapshot.Record.Name)] = route;
        routing.Publish(new RoutingTable(entries.ToFrozenDictionary(StringComparer.Ordinal)));
        var applied = Stopwatch.GetTimestamp();
        UpdateGauges(route);
        return applied;
    }

    /// <summary>Versions are immutable and only ever added, so the same count means the same versions.</summary>
    private static bool SameProxyShape(AgentSnapshot previous, AgentSnapshot next)
        => previous.Versions.Count == next.Versions.Count
           && previous.Record.Definition.PathPrefix == next.Record.Definition.PathPrefix
           && previous.Record.Definition.Hosts.SequenceEqual(next.Record.Definition.Hosts);

    /// <summary>YARP applies a config update asynchronously; a version must be routable before traffic is sent to it.</summary>
    private async Task WaitForProxyConfigAsync(AgentSnapshot snapshot, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + 5 * Stopwatch.Frequency;
        foreach (var version in snapshot.Versions.Keys)
        {
            while (!proxyState.TryGetCluster(ProxyIds.VersionCluster(snapshot.Record.Name, version), out _)
                   || !ProxyIds.Roles.All(role => proxyState.TryGetRoute(ProxyIds.VersionRoute(snapshot.Record.Name, version, role), out _)))
            {
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    throw new InvalidOperationException($"YARP did not load the routes of agent '{snapshot.Record.Name}' in time");
                }

                await Task.Delay(1, cancellationToken);
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
            logger.LogWarning(ex, "Could not acknowledge generation {Generation} of {Agent}", record.Generation, record.Name);
        }
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            try
            {
                await store.HeartbeatAsync(replica.Id, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogDebug(ex, "Heartbeat failed");
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

    private static void UpdateGauges(AgentRoute route)
    {
        RollgateMetrics.ConfigGeneration.WithLabels(route.Name).Set(route.Generation);
        RollgateMetrics.CanaryPercent.WithLabels(route.Name).Set(route.CanaryPercent);
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
}
