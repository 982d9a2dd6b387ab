using System.Globalization;
using Rollgate.Notifications;
using Rollgate.Release;
using Rollgate.Stores;

namespace Rollgate.Drills;

/// <summary>
/// Runs a rollback drill: rolls back to the default target with the release command a real rollback uses, checks that
/// every replica applied it and that this replica's data path serves the target, restores the previous stable with a
/// release command, checks that the same way, and records the result as a <c>drill</c> event. A failed drill is still
/// restored and alerts the agent's webhooks; clients see the target only between the rollback and the restore.
/// </summary>
public sealed class DrillRunner(ReleaseCommands commands, IDrillProbe probe, WebhookNotifier webhooks, TimeProvider timeProvider)
{
    /// <summary>A drill still marked as running after this long was abandoned (the replica running it stopped).</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(1);

    /// <param name="agent">The agent to drill.</param>
    /// <param name="issuer">Who asked; its <see cref="CommandIssuer.IfMatch"/> conditions the rollback only.</param>
    /// <param name="cancellationToken">Cancels only before the rollback commits: after it, the drill always restores.</param>
    public async Task<DrillOutcome> RunAsync(string agent, CommandIssuer issuer, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        var rollback = await commands.DrillRollbackAsync(agent, issuer, cancellationToken);
        if (rollback is not CommandResult.Committed rolledBack)
        {
            return new DrillOutcome.NotRun(rollback);
        }

        var rollbackMs = ElapsedMs(started);
        var run = rolledBack.Record.State.Drill!.Running!;
        var failures = new List<string>();
        var steps = new CommandIssuer(issuer.Actor);

        var verifyStarted = timeProvider.GetTimestamp();
        await VerifyAsync(rolledBack, run.To, "after the rollback", failures);
        var verifyMs = ElapsedMs(verifyStarted);

        var restoreStarted = timeProvider.GetTimestamp();
        var replicas = rolledBack.Timings.Replicas;
        var restore = await commands.RestoreAfterDrillAsync(agent, run.Id, steps, CancellationToken.None);
        if (restore is CommandResult.Committed restored)
        {
            await VerifyAsync(restored, run.From, "after the restore", failures);
            replicas = Fewer(replicas, restored.Timings.Replicas);
        }
        else
        {
            failures.Add(NotRestored(restore, run));
        }

        var report = new DrillReport(
            failures.Count == 0 ? DrillReport.Passed : DrillReport.Failed,
            run.From,
            run.To,
            Round(rollbackMs),
            Round(verifyMs),
            Round(ElapsedMs(restoreStarted)),
            Round(ElapsedMs(started)),
            new DrillReplicas(replicas?.Acked, replicas?.Total),
            failures.Count == 0 ? null : string.Join("; ", failures));
        return new DrillOutcome.Ran(report, await RecordAsync(agent, report, run.Id, steps));
    }

    /// <summary>
    /// Ends a drill that was left running (its replica stopped between the rollback and the restore): restores the
    /// release and records the drill as failed. Of its timings only the restore's and the total are known.
    /// </summary>
    public async Task<DrillReport> EndAbandonedAsync(string agent, DrillRun run, CommandIssuer issuer, CancellationToken cancellationToken)
    {
        var restoreStarted = timeProvider.GetTimestamp();
        var failures = new List<string> { $"the drill started at {run.StartedAt.ToString("O", CultureInfo.InvariantCulture)} was abandoned before its restore" };
        var restore = await commands.RestoreAfterDrillAsync(agent, run.Id, issuer, cancellationToken);
        FleetAcks? replicas = null;
        if (restore is CommandResult.Committed restored)
        {
            replicas = restored.Timings.Replicas;
            await VerifyAsync(restored, run.From, "after the restore", failures);
        }
        else
        {
            failures.Add(NotRestored(restore, run));
        }

        var restoreMs = Round(ElapsedMs(restoreStarted));
        var report = new DrillReport(DrillReport.Failed, run.From, run.To, 0, 0, restoreMs,
            Round((timeProvider.GetUtcNow() - run.StartedAt).TotalMilliseconds), new DrillReplicas(replicas?.Acked, replicas?.Total), string.Join("; ", failures));
        await RecordAsync(agent, report, run.Id, issuer);
        return report;
    }

    private async Task<CommandResult> RecordAsync(string agent, DrillReport report, string runId, CommandIssuer issuer)
    {
        var recorded = await commands.RecordDrillAsync(agent, report, runId, issuer, CancellationToken.None);
        if (!report.HasPassed && recorded is CommandResult.Committed committed && committed.Record.Definition.Webhooks.Count > 0)
        {
            webhooks.Enqueue(committed.Record.Definition.Webhooks, WebhookPayload.Of(agent, committed.Event) with { Drill = report });
        }

        return recorded;
    }

    /// <summary>Every live replica acknowledged the change, and this replica's data path serves <paramref name="version"/>.</summary>
    private async Task VerifyAsync(CommandResult.Committed change, int version, string when, List<string> failures)
    {
        if (change.Timings.Replicas is not { } acks)
        {
            failures.Add($"{when}, the fleet's acknowledgements could not be read from the store");
        }
        else if (!acks.All)
        {
            failures.Add($"{when}, only {acks.Acked} of {acks.Total} replicas routed by generation {change.Record.Generation} in time");
        }

        if (await probe.ProbeAsync(change.Record, version, CancellationToken.None) is { } probeFailure)
        {
            failures.Add($"{when}, {probeFailure}");
        }
    }

    private static string NotRestored(CommandResult restore, DrillRun run)
        => restore is CommandResult.Refused refused ? refused.Detail : $"version {run.From} was not put back";

    private static FleetAcks? Fewer(FleetAcks? a, FleetAcks? b)
        => a is { } x && b is { } y ? (x.Total - x.Acked >= y.Total - y.Acked ? x : y) : null;

    private double ElapsedMs(long since) => timeProvider.GetElapsedTime(since).TotalMilliseconds;

    private static double Round(double ms) => Math.Round(ms, 3);
}
