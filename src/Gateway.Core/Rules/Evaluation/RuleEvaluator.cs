using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Rollgate.Fleet;
using Rollgate.Observability;
using Rollgate.Release;
using Rollgate.Signals;
using Rollgate.Stores;

namespace Rollgate.Rules.Evaluation;

/// <summary>
/// Evaluates every agent's rules on the fleet-wide figures, once per evaluation interval, on the controller
/// replica. Subject and baseline (docs/rules.md): the canary against the stable over the same window; during a bake
/// the new stable against the previous stable's figures from before the switch; after the bake only absolute
/// alert/pause rules watch the stable. A condition must hold at every evaluation for the rule's <c>for</c>; a rule
/// fires once per subject, through the same release commands an operator uses.
/// </summary>
/// <remarks>
/// No rule state is kept in this process: the <c>for</c> timers live in <see cref="IRuleMemoryStore"/> (one read and at
/// most one write per agent and evaluation), and which rules fired is committed with the firing itself
/// (<see cref="FiredRules"/>), so the next controller neither restarts a window nor acts a second time.
/// </remarks>
public sealed partial class RuleEvaluator(
    IRollgateStore store,
    IFigureStore figures,
    ReleaseCommands commands,
    IRuleStateBoard board,
    IRuleMemoryStore memories,
    IRuleFiringNotifier notifier,
    ControllerOptions controller,
    TimeProvider timeProvider,
    ILogger<RuleEvaluator> logger) : IControllerTask
{
    public const string ActorPrefix = "rule: ";

    private static readonly TimeSpan RecentFiringShown = TimeSpan.FromMinutes(1);

    /// <summary>Figures of a window that ended this long ago are complete: every replica has flushed them.</summary>
    private static readonly TimeSpan Settled = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, Rule?> _parsed = new(StringComparer.Ordinal);

    /// <summary>
    /// Figures of settled drift baselines (a day of minutes is a day of reads), kept while an evaluation still reads
    /// them: a baseline window moves once a minute. Only the controller's evaluation loop uses it.
    /// </summary>
    private readonly Dictionary<(string Agent, DateTimeOffset From, DateTimeOffset To), IReadOnlyDictionary<int, FigureSummary>> _settled = new();
    private readonly HashSet<(string Agent, DateTimeOffset From, DateTimeOffset To)> _settledUsed = [];

    public Task RunAsync(CancellationToken cancellationToken) => EvaluateAsync(cancellationToken);

    public async Task EvaluateAsync(CancellationToken cancellationToken)
    {
        _settledUsed.Clear();
        foreach (var agent in await store.ListAgentsAsync(cancellationToken))
        {
            var record = await store.GetAgentAsync(agent, cancellationToken);
            if (record is not null)
            {
                await EvaluateAgentAsync(record, cancellationToken);
            }
        }

        foreach (var key in _settled.Keys.Where(k => !_settledUsed.Contains(k)).ToList())
        {
            _settled.Remove(key);
        }
    }

    private async Task EvaluateAgentAsync(AgentRecord record, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var rules = record.Definition.Rules.Select(Parse).OfType<Rule>().ToArray();
        var subject = Subject.Of(record, now);
        var stored = await memories.ReadAsync(record.Name, cancellationToken);
        var memory = AgentRuleMemory.Resume(stored, record.State, subject, now, controller.Handover);
        var statuses = new List<RuleStatus>(rules.Length);
        var reads = new Dictionary<(DateTimeOffset, DateTimeOffset), IReadOnlyDictionary<int, FigureSummary>>();

        var subjectGone = false;
        foreach (var rule in rules)
        {
            if (subject is null || subjectGone || !subject.Watches(rule))
            {
                memory.HeldSince.Remove(rule.Text);
                var idle = new RuleStatus(rule.Text, subject is null ? RuleStateKind.InsufficientData : RuleStateKind.Ok, null, null, subject?.Version, 0, 0, now);
                statuses.Add(RecentFiring(memory, rule, subject, now) ?? idle);
                SetFiring(record.Name, rule, false);
                continue;
            }

            var subjectFrom = now - rule.Over;
            var subjectFigures = (await ReadAsync(record.Name, subjectFrom, now, reads, cancellationToken)).GetValueOrDefault(subject.Version) ?? new FigureSummary();
            FigureSummary? baselineFigures = null;
            var baselineWindow = subject.BaselineWindow(rule, subjectFrom, now);
            if (subject.BaselineFor(rule) is { } baselineVersion)
            {
                var baselineRead = rule.AgainstPrevious is not null && baselineWindow.To <= now - Settled
                    ? await ReadSettledAsync(record.Name, baselineWindow.From, baselineWindow.To, cancellationToken)
                    : await ReadAsync(record.Name, baselineWindow.From, baselineWindow.To, reads, cancellationToken);
                baselineFigures = baselineRead.GetValueOrDefault(baselineVersion) ?? new FigureSummary();
            }

            var verdict = RuleAssessor.Assess(rule, subjectFigures, baselineFigures);
            var state = Track(memory, rule, verdict, now, out var heldSince);
            if (state == RuleStateKind.Firing && !memory.Fired.Contains(rule.Text))
            {
                var committed = await FireAsync(record, rule, subject, verdict, subjectFrom, now, baselineWindow, heldSince, cancellationToken);
                if (committed is null)
                {
                    // Another writer moved the release on first, or another controller acted already: nothing was done here.
                    state = RuleStateKind.Pending;
                    subjectGone = true;
                }
                else
                {
                    memory.Fired.Add(rule.Text);
                    // After a rollback or a pause the remaining rules judge the new state at the next evaluation.
                    subjectGone = committed.Event.Type is HistoryEventTypes.Rollback or HistoryEventTypes.Pause;
                }
            }

            var status = new RuleStatus(rule.Text, state, verdict.Value, verdict.Baseline, subject.Version, verdict.SubjectN, verdict.BaselineN, now);
            if (state == RuleStateKind.Firing)
            {
                memory.LastFiring[rule.Text] = status;
            }

            var shown = state is RuleStateKind.Ok or RuleStateKind.InsufficientData ? RecentFiring(memory, rule, subject, now) ?? status : status;
            statuses.Add(shown);
            SetFiring(record.Name, rule, state == RuleStateKind.Firing);
        }

        await RememberAsync(record.Name, stored, memory.ToRuleMemory(subject, now, RecentFiringShown), cancellationToken);
        try
        {
            await board.PublishAsync(record.Name, statuses, cancellationToken);
        }
        catch (StoreUnavailableException ex)
        {
            LogStatesNotPublished(logger, ex, record.Name);
        }
    }

    /// <summary>
    /// Applies <c>for</c>: the condition must have held at every evaluation since <paramref name="heldSince"/>. A rule that
    /// already acted on this subject shows as firing until the subject changes.
    /// </summary>
    private static RuleStateKind Track(AgentRuleMemory memory, Rule rule, RuleVerdict verdict, DateTimeOffset now, out DateTimeOffset heldSince)
    {
        heldSince = now;
        if (verdict.Verdict is Verdict.InsufficientData or Verdict.Clear)
        {
            memory.HeldSince.Remove(rule.Text);
        }
        else if (!memory.HeldSince.TryGetValue(rule.Text, out heldSince))
        {
            memory.HeldSince[rule.Text] = heldSince = now;
        }

        if (memory.Fired.Contains(rule.Text))
        {
            return RuleStateKind.Firing;
        }

        return verdict.Verdict switch
        {
            Verdict.InsufficientData => RuleStateKind.InsufficientData,
            Verdict.Clear => RuleStateKind.Ok,
            _ => now - heldSince >= rule.For ? RuleStateKind.Firing : RuleStateKind.Pending,
        };
    }

    /// <returns>The committed change, or null when the rule could not act (the subject had already changed).</returns>
    private async Task<CommandResult.Committed?> FireAsync(AgentRecord record, Rule rule, Subject subject, RuleVerdict verdict, DateTimeOffset from, DateTimeOffset now,
        (DateTimeOffset From, DateTimeOffset To) baselineWindow, DateTimeOffset heldSince, CancellationToken cancellationToken)
    {
        var detectMs = (now - heldSince).TotalMilliseconds;
        var evidence = RuleEvidence.Build(rule, verdict, subject.Version, subject.BaselineFor(rule), from, now, heldSince, now, baselineWindow);
        var issuer = new CommandIssuer(ActorPrefix + rule.Text)
        {
            Firing = new RuleFiring(rule.Text, subject.Key, subject.Version, subject.IsStillCurrent, detectMs, evidence),
        };
        var detail = $"{rule.Metric.ToRuleText()} = {Format(verdict.Value)}" + (verdict.Baseline is { } b ? $" vs baseline {Format(b)}" : "");
        var result = rule.Action switch
        {
            RuleAction.Rollback => await commands.RollbackAsync(record.Name, null, detail, RollbackTrigger.Rule, issuer, cancellationToken),
            RuleAction.Pause => await commands.PauseAsync(record.Name, detail, issuer, cancellationToken),
            _ => await commands.AlertAsync(record.Name, subject.Version, detail, issuer, cancellationToken),
        };
        if (result is not CommandResult.Committed committed)
        {
            LogHeldButDidNotAct(logger, rule.Text, record.Name, result);
            return null;
        }

        LogFired(logger, record.Name, committed.Event.Type, rule.Text, subject.Version, detail, detectMs, committed.Timings.ApplyMs, committed.Record.Generation);
        notifier.Notify(committed.Record, committed.Event, rule);
        return committed;
    }

    /// <summary>
    /// A rule that rolled back or paused a canary keeps showing as firing for a minute, so an operator who looks
    /// right after sees which rule acted (history keeps it for good); a new canary starts with a clean slate.
    /// </summary>
    private static RuleStatus? RecentFiring(AgentRuleMemory memory, Rule rule, Subject? subject, DateTimeOffset now)
        => subject?.Phase != SubjectPhase.Canary && memory.LastFiring.TryGetValue(rule.Text, out var fired) && now - fired.EvaluatedAt < RecentFiringShown
            ? fired
            : null;

    private async Task<IReadOnlyDictionary<int, FigureSummary>> ReadAsync(string agent, DateTimeOffset from, DateTimeOffset to,
        Dictionary<(DateTimeOffset, DateTimeOffset), IReadOnlyDictionary<int, FigureSummary>> cache, CancellationToken cancellationToken)
    {
        if (!cache.TryGetValue((from, to), out var result))
        {
            cache[(from, to)] = result = await figures.ReadAsync(agent, from, to, cancellationToken);
        }

        return result;
    }

    private async Task<IReadOnlyDictionary<int, FigureSummary>> ReadSettledAsync(string agent, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var key = (agent, from, to);
        _settledUsed.Add(key);
        if (!_settled.TryGetValue(key, out var result))
        {
            _settled[key] = result = await figures.ReadAsync(agent, from, to, cancellationToken);
        }

        return result;
    }

    /// <summary>Writes the memory for the next evaluation (whichever replica runs it); nothing when there was and is none.</summary>
    private async Task RememberAsync(string agent, RuleMemory? stored, RuleMemory? next, CancellationToken cancellationToken)
    {
        if (stored is null && next is null)
        {
            return;
        }

        try
        {
            await memories.WriteAsync(agent, next, cancellationToken);
        }
        catch (StoreUnavailableException ex)
        {
            // Costs at most a restarted window if the lease moves now: which rules fired is in the committed state.
            LogMemoryNotWritten(logger, ex, agent);
        }
    }

    [LoggerMessage(100, LogLevel.Warning,
        "Rule fired: {Agent} {Action} by \"{Rule}\" on version {Subject}: {Detail} (detect {DetectMs:F0} ms, apply {ApplyMs:F2} ms, generation {Generation})")]
    private static partial void LogFired(ILogger logger, string agent, string action, string rule, int subject, string detail, double detectMs, double applyMs, long generation);

    // Debug: a rule that holds while there is nothing to act on (no earlier version to roll back to) says so every evaluation.
    [LoggerMessage(101, LogLevel.Debug, "Rule {Rule} of {Agent} held but did not act: {Result}")]
    private static partial void LogHeldButDidNotAct(ILogger logger, string rule, string agent, CommandResult result);

    [LoggerMessage(102, LogLevel.Debug, "Rule memory of {Agent} not written")]
    private static partial void LogMemoryNotWritten(ILogger logger, Exception exception, string agent);

    [LoggerMessage(103, LogLevel.Debug, "Rule states of {Agent} not published")]
    private static partial void LogStatesNotPublished(ILogger logger, Exception exception, string agent);

    private Rule? Parse(string text) => _parsed.GetOrAdd(text, t => RuleParser.Parse(t) is { Succeeded: true } r ? r.Rule : null);

    private static void SetFiring(string agent, Rule rule, bool firing)
        => RollgateMetrics.RuleFiring.WithLabels(agent, rule.Action.ToRuleText(), rule.Text).Set(firing ? 1 : 0);

    private static string Format(double? value) => value is { } v ? v.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) : "n/a";

    /// <summary>One evaluation's working copy of an agent's <see cref="RuleMemory"/>, plus the rules that fired on the subject.</summary>
    private sealed class AgentRuleMemory
    {
        public Dictionary<string, DateTimeOffset> HeldSince { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Fired { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, RuleStatus> LastFiring { get; } = new(StringComparer.Ordinal);

        /// <summary>
        /// Takes up the stored timers if they belong to this subject and no evaluation was missed for longer than a
        /// controller handover takes: a window that nobody watched is not a condition that held at every evaluation.
        /// </summary>
        public static AgentRuleMemory Resume(RuleMemory? stored, ReleaseState state, Subject? subject, DateTimeOffset now, TimeSpan handover)
        {
            var memory = new AgentRuleMemory();
            if (stored is not null)
            {
                foreach (var (rule, status) in stored.LastFiring)
                {
                    memory.LastFiring[rule] = status;
                }

                if (subject is not null && stored.Subject == subject.Key && now - stored.EvaluatedAt <= handover)
                {
                    foreach (var (rule, since) in stored.HeldSince)
                    {
                        memory.HeldSince[rule] = since;
                    }
                }
            }

            if (subject is not null && state.FiredRules is { } fired && fired.Subject == subject.Key)
            {
                memory.Fired.UnionWith(fired.Rules);
            }

            return memory;
        }

        /// <returns>What the next evaluation needs, or <c>null</c> when that is nothing.</returns>
        public RuleMemory? ToRuleMemory(Subject? subject, DateTimeOffset now, TimeSpan firingShown)
        {
            var lastFiring = LastFiring.Where(f => now - f.Value.EvaluatedAt < firingShown).ToDictionary(StringComparer.Ordinal);
            return HeldSince.Count == 0 && lastFiring.Count == 0
                ? null
                : new RuleMemory { Subject = subject?.Key, EvaluatedAt = now, HeldSince = new Dictionary<string, DateTimeOffset>(HeldSince, StringComparer.Ordinal), LastFiring = lastFiring };
        }
    }
}
