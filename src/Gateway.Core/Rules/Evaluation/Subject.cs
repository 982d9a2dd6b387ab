using Rollgate.Release;

namespace Rollgate.Rules.Evaluation;

/// <summary>Which version the rules watch right now, and what it is compared with (see docs/rules.md).</summary>
public sealed record Subject(int Version, SubjectPhase Phase, int? Baseline, DateTimeOffset? BaselineEnd, DateTimeOffset? Since)
{
    /// <summary>Identifies the subject across evaluations; a new deployment of the same version is a new subject.</summary>
    public string Key => $"{Phase}:{Version}:{Since:O}";

    public static Subject? Of(AgentRecord record, DateTimeOffset now)
    {
        var state = record.State;
        if (state.Canary is { } canary && state.Stable is { } stable)
        {
            return new Subject(canary, SubjectPhase.Canary, stable, null, state.Rollout?.StartedAt);
        }

        if (state.Stable is not { } current)
        {
            return null;
        }

        if (state.Restored)
        {
            return new Subject(current, SubjectPhase.Restored, null, null, state.StableSince);
        }

        return state.IsStableBaked(now, record.Definition.BakeTime)
            ? new Subject(current, SubjectPhase.Baked, null, null, state.StableSince)
            : new Subject(current, SubjectPhase.Baking, state.PreviousStable, state.StableSince, state.StableSince);
    }

    /// <summary>
    /// Only a canary or a baking stable is on probation; a baked or restored stable is watched by absolute alert and
    /// pause rules alone, so no rule can roll back past a rollback on its own. A drift rule (<c>against previous</c>)
    /// compares a version with its own past, so it also watches a baked stable (a provider's silent model update), and a
    /// restored one with alert and pause only.
    /// </summary>
    public bool Watches(Rule rule) => Phase is SubjectPhase.Canary or SubjectPhase.Baking
        || (rule.AgainstPrevious is not null && (Phase == SubjectPhase.Baked || rule.Action != RuleAction.Rollback))
        || (!rule.IsRelative && rule.Action != RuleAction.Rollback);

    /// <summary>The version a rule compares the subject with: itself for a drift rule, else the phase's baseline.</summary>
    public int? BaselineFor(Rule rule) => rule.AgainstPrevious is null ? Baseline : Version;

    /// <summary>
    /// The baseline window of <paramref name="rule"/> when its own window starts at <paramref name="from"/> and ends at
    /// <paramref name="now"/>. A drift rule's earlier window ends at the whole minute before <paramref name="from"/>:
    /// figures older than the per-second retention exist only per minute, and a window of whole minutes stays the same
    /// for a minute, so its figures are read once a minute rather than at every evaluation.
    /// </summary>
    public (DateTimeOffset From, DateTimeOffset To) BaselineWindow(Rule rule, DateTimeOffset from, DateTimeOffset now)
    {
        if (rule.AgainstPrevious is { } previous)
        {
            var minute = new DateTimeOffset(from.UtcTicks - from.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
            return (minute - previous, minute);
        }

        var end = BaselineEnd ?? now;
        return (end - rule.Over, end);
    }

    /// <summary>Acts only if the state still has this subject in the same role (another writer may have moved on).</summary>
    public bool IsStillCurrent(ReleaseState state) => Phase switch
    {
        SubjectPhase.Canary => state.Canary == Version,
        _ => state.Canary is null && state.Stable == Version && state.StableSince == Since,
    };
}

public enum SubjectPhase
{
    Canary,
    Baking,
    Baked,
    /// <summary>A stable put back by a rollback: not on probation.</summary>
    Restored,
}
