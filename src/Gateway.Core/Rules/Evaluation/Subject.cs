using Rollgate.Release;

namespace Rollgate.Rules.Evaluation;

/// <summary>Which version the rules watch right now, and what it is compared with (spec §5).</summary>
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

        return state.IsStableBaked(now, record.Definition.BakeTime)
            ? new Subject(current, SubjectPhase.Baked, null, null, state.StableSince)
            : new Subject(current, SubjectPhase.Baking, state.PreviousStable, state.StableSince, state.StableSince);
    }

    /// <summary>After its bake a stable is watched only by absolute alert and pause rules.</summary>
    public bool Watches(Rule rule) => Phase != SubjectPhase.Baked || (!rule.IsRelative && rule.Action != RuleAction.Rollback);

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
}
