using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Rollgate.Agents;
using Rollgate.Stores;

namespace Rollgate.Release;

/// <summary>
/// Runs release commands: read the agent, compute the transition, commit it conditioned on the generation
/// (retrying a lost race unless the caller pinned a generation with If-Match), then route by it here at once.
/// </summary>
public sealed class ReleaseManager(
    IRollgateStore store,
    IReleaseApplier applier,
    TimeProvider timeProvider,
    ILogger<ReleaseManager> logger)
{
    private const int MaxAttempts = 8;

    /// <summary>How long a command waits for the rest of the fleet to acknowledge before answering anyway.</summary>
    public TimeSpan FleetAckTimeout { get; init; } = TimeSpan.FromSeconds(1);

    public Task<CommandResult> ExecuteAsync(
        string agent,
        long? ifMatch,
        string actor,
        Func<AgentRecord, TransitionContext, TransitionOutcome> transition,
        CancellationToken cancellationToken,
        bool waitForFleet = false)
        => ExecuteCoreAsync(agent, ifMatch, actor, createIfMissing: null, (record, ctx) => (transition(record, ctx), record.Definition), waitForFleet, cancellationToken);

    /// <summary>Creates the agent or replaces its definition; one generation and one <c>define</c> event.</summary>
    public Task<CommandResult> DefineAsync(string agent, AgentDefinition definition, long? ifMatch, string actor, CancellationToken cancellationToken)
        => ExecuteCoreAsync(agent, ifMatch, actor, createIfMissing: definition,
            (record, ctx) => (new TransitionOutcome.Changed(record.State,
                ctx.Event(HistoryEventTypes.Define, record.State.Stable, record.State.Stable, record.Generation == 0 ? "agent created" : "definition updated")), definition),
            waitForFleet: false, cancellationToken);

    private async Task<CommandResult> ExecuteCoreAsync(
        string agent,
        long? ifMatch,
        string actor,
        AgentDefinition? createIfMissing,
        Func<AgentRecord, TransitionContext, (TransitionOutcome Outcome, AgentDefinition Definition)> transition,
        bool waitForFleet,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await store.GetAgentAsync(agent, cancellationToken);
            var now = timeProvider.GetUtcNow();
            if (current is null)
            {
                if (createIfMissing is null)
                {
                    return new CommandResult.NotFound(agent);
                }

                current = new AgentRecord { Name = agent, Generation = 0, Definition = createIfMissing, State = ReleaseState.Empty, CreatedAt = now, UpdatedAt = now };
            }

            if (ifMatch is { } expected && expected != current.Generation)
            {
                return new CommandResult.PreconditionFailed(current.Generation);
            }

            var decided = Stopwatch.GetTimestamp();
            var ctx = new TransitionContext(now, actor, current.Generation + 1, current.Definition);
            var (outcome, definition) = transition(current, ctx);
            if (outcome is TransitionOutcome.Refused refused)
            {
                return new CommandResult.Refused(refused.Reason, refused.Title, refused.Detail);
            }

            var changed = (TransitionOutcome.Changed)outcome;
            var next = current with { Generation = current.Generation + 1, State = changed.State, Definition = definition, UpdatedAt = now };
            if (!await store.TryCommitAsync(next, changed.Event, cancellationToken))
            {
                if (ifMatch is not null)
                {
                    var latest = await store.GetAgentAsync(agent, cancellationToken);
                    return new CommandResult.PreconditionFailed(latest?.Generation ?? 0);
                }

                if (attempt >= MaxAttempts)
                {
                    return new CommandResult.Refused(RefusalReason.ConcurrentChanges, "Concurrent changes", $"agent '{agent}' kept changing while this command ran; try again");
                }

                continue;
            }

            var committed = Stopwatch.GetTimestamp();
            var applied = await applier.ApplyCommittedAsync(next, cancellationToken);
            var timings = await MeasureAsync(agent, next.Generation, now, decided, committed, applied, waitForFleet, cancellationToken);
            var historyEvent = changed.Event with { ApplyMs = Math.Round(timings.ApplyMs, 3) };
            try
            {
                await store.RecordApplyTimeAsync(agent, historyEvent.Id, historyEvent.ApplyMs.Value, cancellationToken);
            }
            catch (StoreUnavailableException ex)
            {
                logger.LogWarning(ex, "Apply time of {EventId} not recorded", historyEvent.Id);
            }

            logger.LogInformation("{Agent} generation {Generation}: {Type} by {Actor} ({From} -> {To}), applied in {ApplyMs:F2} ms",
                agent, next.Generation, changed.Event.Type, actor, changed.Event.From, changed.Event.To, timings.ApplyMs);
            return new CommandResult.Committed(next, historyEvent, timings);
        }
    }

    private async Task<ApplyTimings> MeasureAsync(string agent, long generation, DateTimeOffset decidedAt, long decided, long committed, long applied,
        bool waitForFleet, CancellationToken cancellationToken)
    {
        var applyMs = Stopwatch.GetElapsedTime(decided, applied).TotalMilliseconds;
        var appliedAt = decidedAt + Stopwatch.GetElapsedTime(decided, applied);
        FleetAcks? acks = null;
        double? allAckedMs = null;
        try
        {
            acks = await store.GetAcksAsync(agent, generation, cancellationToken);
            if (waitForFleet)
            {
                var deadline = Stopwatch.GetTimestamp() + (long)(FleetAckTimeout.TotalSeconds * Stopwatch.Frequency);
                var fastUntil = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 20;
                while (!acks.Value.All && Stopwatch.GetTimestamp() < deadline)
                {
                    // Poll tightly for the first 50 ms, where replicas normally acknowledge, then back off.
                    await Task.Delay(Stopwatch.GetTimestamp() < fastUntil ? 1 : 10, cancellationToken);
                    acks = await store.GetAcksAsync(agent, generation, cancellationToken);
                }
            }

            if (acks.Value.All)
            {
                allAckedMs = Stopwatch.GetElapsedTime(decided).TotalMilliseconds;
            }
        }
        catch (StoreUnavailableException ex)
        {
            // The change is committed and applied here; only the fleet report is missing, and the answer says so.
            logger.LogWarning(ex, "Could not read fleet acknowledgements for {Agent} generation {Generation}", agent, generation);
            acks = null;
        }

        return new ApplyTimings(decidedAt, appliedAt, Stopwatch.GetElapsedTime(decided, committed).TotalMilliseconds, applyMs, acks, allAckedMs);
    }
}
