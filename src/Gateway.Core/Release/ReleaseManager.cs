using Microsoft.Extensions.Logging;
using Rollgate.Agents;
using Rollgate.Stores;

namespace Rollgate.Release;

/// <summary>
/// Runs one release change: read the agent, decide the transition on what was read, commit it conditioned on the
/// generation (deciding again after a lost race, unless the issuer pinned a generation), route by it here at once, and
/// measure how long that took here and across the fleet. What each command decides lives in <see cref="ReleaseCommands"/>.
/// </summary>
public sealed partial class ReleaseManager(
    IRollgateStore store,
    IReleaseApplier applier,
    TimeProvider timeProvider,
    ILogger<ReleaseManager> logger)
{
    private const int MaxAttempts = 8;

    // Replicas normally acknowledge within the first few milliseconds: poll tightly for those, then back off.
    private static readonly TimeSpan FastPollingFor = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan FastPoll = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan SlowPoll = TimeSpan.FromMilliseconds(10);

    /// <summary>How long a command waits for the rest of the fleet to acknowledge before answering anyway.</summary>
    public TimeSpan FleetAckTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <param name="agent">The agent to change.</param>
    /// <param name="issuer">Who changes it; the actor of the history event, and the generation it must still have.</param>
    /// <param name="definition">
    /// Set by a definition: the agent is created if it does not exist, and committed with this definition.
    /// </param>
    /// <param name="transition">Decides the change on the agent as read; called again after a lost race.</param>
    /// <param name="waitForFleet">Whether to wait, up to <see cref="FleetAckTimeout"/>, until every replica routes by the change.</param>
    /// <param name="cancellationToken">Cancels the command; a commit already made stays.</param>
    internal async Task<CommandResult> ExecuteAsync(
        string agent,
        CommandIssuer issuer,
        AgentDefinition? definition,
        Func<AgentRecord, TransitionContext, TransitionOutcome> transition,
        bool waitForFleet,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await store.GetAgentAsync(agent, cancellationToken);
            var now = timeProvider.GetUtcNow();
            if (current is null)
            {
                if (definition is null)
                {
                    return new CommandResult.NotFound(agent);
                }

                current = new AgentRecord { Name = agent, Generation = 0, Definition = definition, State = ReleaseState.Empty, CreatedAt = now, UpdatedAt = now };
            }

            if (issuer.IfMatch is { } expected && expected != current.Generation)
            {
                return new CommandResult.PreconditionFailed(current.Generation);
            }

            var decided = timeProvider.GetTimestamp();
            var outcome = transition(current, new TransitionContext(now, issuer.Actor, current.Generation + 1, current.Definition));
            if (outcome is TransitionOutcome.Refused refused)
            {
                return new CommandResult.Refused(refused.Reason, refused.Title, refused.Detail);
            }

            var changed = (TransitionOutcome.Changed)outcome;
            var next = current with { Generation = current.Generation + 1, State = changed.State, Definition = definition ?? current.Definition, UpdatedAt = now };
            if (!await store.TryCommitAsync(next, changed.Event, cancellationToken))
            {
                if (issuer.IfMatch is not null)
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

            var committed = timeProvider.GetTimestamp();
            var applied = await applier.ApplyCommittedAsync(next, cancellationToken);
            var timings = await MeasureAsync(agent, next.Generation, now, decided, committed, applied, waitForFleet, cancellationToken);
            var historyEvent = changed.Event with { ApplyMs = Math.Round(timings.ApplyMs, 3) };
            try
            {
                await store.RecordApplyTimeAsync(agent, historyEvent.Id, historyEvent.ApplyMs.Value, cancellationToken);
            }
            catch (StoreUnavailableException ex)
            {
                LogApplyTimeNotRecorded(logger, ex, agent, historyEvent.Id);
            }

            return new CommandResult.Committed(next, historyEvent, timings);
        }
    }

    /// <param name="decided">When the transition was decided, on <see cref="TimeProvider.GetTimestamp"/>, as are the others.</param>
    private async Task<ApplyTimings> MeasureAsync(string agent, long generation, DateTimeOffset decidedAt, long decided, long committed, long applied,
        bool waitForFleet, CancellationToken cancellationToken)
    {
        var applyTime = timeProvider.GetElapsedTime(decided, applied);
        FleetAcks? acks = null;
        double? allAckedMs = null;
        try
        {
            acks = await store.GetAcksAsync(agent, generation, cancellationToken);
            if (waitForFleet)
            {
                var waitStarted = timeProvider.GetTimestamp();
                while (!acks.Value.All)
                {
                    var waited = timeProvider.GetElapsedTime(waitStarted);
                    if (waited >= FleetAckTimeout)
                    {
                        break;
                    }

                    await Task.Delay(waited < FastPollingFor ? FastPoll : SlowPoll, timeProvider, cancellationToken);
                    acks = await store.GetAcksAsync(agent, generation, cancellationToken);
                }
            }

            if (acks.Value.All)
            {
                allAckedMs = timeProvider.GetElapsedTime(decided).TotalMilliseconds;
            }
        }
        catch (StoreUnavailableException ex)
        {
            // The change is committed and applied here; only the fleet report is missing, and the answer says so.
            LogAcksUnreadable(logger, ex, agent, generation);
            acks = null;
        }

        return new ApplyTimings(decidedAt, decidedAt + applyTime, timeProvider.GetElapsedTime(decided, committed).TotalMilliseconds,
            applyTime.TotalMilliseconds, acks, allAckedMs);
    }

    [LoggerMessage(10, LogLevel.Warning, "Apply time of {Agent}'s event {EventId} not recorded")]
    private static partial void LogApplyTimeNotRecorded(ILogger logger, Exception exception, string agent, string eventId);

    [LoggerMessage(11, LogLevel.Warning, "Could not read fleet acknowledgements for {Agent} generation {Generation}")]
    private static partial void LogAcksUnreadable(ILogger logger, Exception exception, string agent, long generation);
}
