namespace Rollgate.Release;

/// <summary>
/// Which versions of an agent serve traffic, and how much each gets. Immutable: every change is a new
/// value committed atomically together with its history event.
/// </summary>
public sealed record ReleaseState
{
    public static readonly ReleaseState Empty = new();

    public int? Stable { get; init; }
    public int? Canary { get; init; }
    public double CanaryPercent { get; init; }
    public RolloutProgress? Rollout { get; init; }
    public bool Paused { get; init; }
    /// <summary>The last change was a rollback; cleared by the next deployment.</summary>
    public bool RolledBack { get; init; }
    /// <summary>When the current stable started serving as stable (bake time counts from here).</summary>
    public DateTimeOffset? StableSince { get; init; }
    /// <summary>The stable that the current stable replaced: the rollback target of last resort.</summary>
    public int? PreviousStable { get; init; }
    /// <summary>Versions that served as stable for a full bake time, oldest first.</summary>
    public IReadOnlyList<int> KnownGood { get; init; } = [];
    /// <summary>Rules that acted on the subject the rules currently watch; written by the action's own commit.</summary>
    public FiredRules? FiredRules { get; init; }

    public ReleaseStatus Status => this switch
    {
        { Stable: null, Canary: null } => ReleaseStatus.Empty,
        { Canary: not null, Paused: true } => ReleaseStatus.Paused,
        { Canary: not null } => ReleaseStatus.Canary,
        { RolledBack: true } => ReleaseStatus.RolledBack,
        _ => ReleaseStatus.Stable,
    };

    public bool IsStableBaked(DateTimeOffset now, TimeSpan bakeTime)
        => Stable is not null && StableSince is { } since && now - since >= bakeTime;

    /// <summary>Records the stable as known good once its bake time has passed.</summary>
    public ReleaseState WithBakedStable(DateTimeOffset now, TimeSpan bakeTime)
        => IsStableBaked(now, bakeTime) && !KnownGood.Contains(Stable!.Value)
            ? this with { KnownGood = [.. KnownGood, Stable.Value] }
            : this;

    /// <summary>The newest known-good version, counting the current stable once it has baked.</summary>
    public int? LastKnownGood(DateTimeOffset now, TimeSpan bakeTime)
    {
        var state = WithBakedStable(now, bakeTime);
        return state.KnownGood.Count > 0 ? state.KnownGood[^1] : null;
    }

    /// <summary>Spec §1: the newest known-good version other than <paramref name="leaving"/>, else the stable it replaced.</summary>
    public int? DefaultRollbackTarget(int leaving, DateTimeOffset now, TimeSpan bakeTime)
    {
        var known = WithBakedStable(now, bakeTime).KnownGood;
        for (var i = known.Count - 1; i >= 0; i--)
        {
            if (known[i] != leaving)
            {
                return known[i];
            }
        }

        return PreviousStable is { } previous && previous != leaving ? previous : null;
    }
}
