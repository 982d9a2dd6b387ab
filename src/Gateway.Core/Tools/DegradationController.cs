using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rollgate.Agents;
using Rollgate.Fleet;
using Rollgate.Json;
using Rollgate.Notifications;
using Rollgate.Release;
using Rollgate.Stores;

namespace Rollgate.Tools;

/// <summary>
/// Degrades and restores agents as their tools' circuits open and close across the fleet, on the controller replica:
/// an agent whose definition names a tool in <c>degradation</c> goes to that entry's version while the tool's circuit is
/// open on any replica, and returns once it has been closed on every replica for the tool's break duration. It runs
/// every controller tick and, on the controller, as soon as any replica reports a circuit changing state, so the fleet
/// follows a breaker within milliseconds. Each switch is a release command (<see cref="ReleaseCommands.DegradeAsync"/>,
/// <see cref="ReleaseCommands.RestoreAsync"/>) and a webhook.
/// </summary>
public sealed partial class DegradationController(
    IRollgateStore store,
    ICircuitBoard board,
    ReleaseCommands commands,
    ControllerLeadership leadership,
    WebhookNotifier webhooks,
    TimeProvider time,
    ILogger<DegradationController> logger) : BackgroundService, IControllerTask
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>One pass over every agent with a degradation (or in one).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var reports = await board.ReadAsync(cancellationToken);
            var tools = (await store.ListToolsAsync(cancellationToken)).ToDictionary(t => t.Name, StringComparer.Ordinal);
            foreach (var name in await store.ListAgentsAsync(cancellationToken))
            {
                if (await store.GetAgentAsync(name, cancellationToken) is { } record
                    && (record.Definition.Degradation.Count > 0 || record.State.Degradation is not null))
                {
                    await DecideAsync(record, tools, reports, cancellationToken);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Between ticks: a replica's circuit changed state, so the controller decides now rather than at its next tick.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var changed = new WakeUp();
        var watch = board.Watch(changed.Set);
        stoppingToken.Register(watch.Dispose);
        return Task.Run(async () =>
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await changed.WaitAsync(stoppingToken);
                if (!leadership.IsLeader)
                {
                    continue;
                }

                try
                {
                    await RunAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogPassFailed(logger, ex);
                }
            }
        }, stoppingToken);
    }

    private async Task DecideAsync(AgentRecord record, Dictionary<string, ToolRecord> tools, IReadOnlyList<CircuitReport> reports, CancellationToken cancellationToken)
    {
        var state = record.State;
        var now = time.GetUtcNow();
        if (state.Degradation is { } degradation)
        {
            var listed = record.Definition.Degradation.Any(d => d.Tool == degradation.Tool);
            if (!listed || !tools.TryGetValue(degradation.Tool, out var tool))
            {
                await RestoreAsync(record, degradation.Tool, $"tool '{degradation.Tool}' is no longer a degradation of the agent",
                    FleetCircuit.Of(degradation.Tool, reports), cancellationToken);
                return;
            }

            var fleet = FleetCircuit.Of(degradation.Tool, reports);
            var breakDuration = tool.Definition.Breaker.BreakDuration;
            if (fleet.ClosedFor(breakDuration, now))
            {
                await RestoreAsync(record, degradation.Tool,
                    $"tool '{degradation.Tool}' has been closed on every replica for {Duration.Format(breakDuration)}", fleet, cancellationToken);
            }

            return;
        }

        if (state.Stable is null)
        {
            return;
        }

        foreach (var route in record.Definition.Degradation)
        {
            if (!tools.ContainsKey(route.Tool))
            {
                continue;
            }

            var fleet = FleetCircuit.Of(route.Tool, reports);
            var opened = fleet.Replicas
                .Where(r => r.State == CircuitState.Open && !state.IsWaived(route.Tool, r.OutageSince ?? r.Since))
                .Select(r => (DateTimeOffset?)(r.OutageSince ?? r.Since))
                .Min();
            if (opened is { } since)
            {
                await DegradeAsync(record, route, fleet, Math.Max(0, (now - since).TotalMilliseconds), cancellationToken);
                return;
            }
        }
    }

    private async Task DegradeAsync(AgentRecord record, DegradationRoute route, FleetCircuit fleet, double detectMs, CancellationToken cancellationToken)
    {
        var result = await commands.DegradeAsync(record.Name, route.Tool, route.RouteTo, Evidence(fleet), detectMs, Issuer(route.Tool), cancellationToken);
        Notify(record, result, route.Tool);
    }

    private async Task RestoreAsync(AgentRecord record, string tool, string detail, FleetCircuit fleet, CancellationToken cancellationToken)
    {
        var result = await commands.RestoreAsync(record.Name, tool, detail, Evidence(fleet), Issuer(tool), cancellationToken);
        Notify(record, result, tool);
    }

    private void Notify(AgentRecord record, CommandResult result, string tool)
    {
        if (result is CommandResult.Committed committed && committed.Record.Definition.Webhooks.Count > 0)
        {
            webhooks.Enqueue(committed.Record.Definition.Webhooks, WebhookPayload.Of(record.Name, committed.Event) with { Tool = tool });
        }
        else if (result is not CommandResult.Committed)
        {
            LogNotSwitched(logger, record.Name, tool, result);
        }
    }

    private static CommandIssuer Issuer(string tool) => new("circuit: " + tool);

    /// <summary>What the breakers saw: the combined state, and each replica's state, since when, and its calls and failures.</summary>
    private static JsonElement Evidence(FleetCircuit fleet) => JsonSerializer.SerializeToElement(new
    {
        tool = fleet.Tool,
        state = fleet.State,
        failures = fleet.Failures,
        calls = fleet.Calls,
        ratio = fleet.FailureRatio is { } ratio ? Math.Round(ratio, 4) : (double?)null,
        closedSince = fleet.ClosedSince,
        replicas = fleet.Replicas.Select(r => new { replica = r.Replica, state = r.State, since = r.Since, failures = r.Failures, calls = r.Calls }),
    }, RollgateJson.Options);

    [LoggerMessage(1310, LogLevel.Warning, "Degradation pass failed; the next controller tick retries")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(1311, LogLevel.Debug, "{Agent}: the switch for tool {Tool} changed nothing: {Result}")]
    private static partial void LogNotSwitched(ILogger logger, string agent, string tool, CommandResult result);
}
