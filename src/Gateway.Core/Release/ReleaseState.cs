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
    /// <summary>
    /// The current stable was put back by a rollback. It is not on probation: judging it against the version it
    /// replaced would compare it with the version just found bad, and a rollback rule could hand traffic back to it.
    /// </summary>
    public bool Restored { get; init; }
    /// <summary>When the current stable started serving as stable (bake time counts from here).</summary>
    public DateTimeOffset? StableSince { get; init; }
    /// <summary>Versions that have served as stable, least recently made stable first; the current stable is last.</summary>
    public IReadOnlyList<int> Lineage { get; init; } = [];
    /// <summary>Versions that served as stable for a full bake time, oldest first.</summary>
    public IReadOnlyList<int> KnownGood { get; init; } = [];
    /// <summary>Versions traffic was rolled back from, by any trigger: never again a default rollback target.</summary>
    public IReadOnlyList<int> RolledBackFrom { get; init; } = [];
    /// <summary>Rules that acted on the subject the rules currently watch; written by the action's own commit.</summary>
    public FiredRules? FiredRules { get; init; }
    /// <summary>Rollback drills: the last one, and the one under way.</summary>
    public DrillState? Drill { get; init; }

    public ReleaseStatus Status => this switch
    {
        { Stable: null, Canary: null } => ReleaseStatus.Empty,
        { Canary: not null, Paused: true } => ReleaseStatus.Paused,
        { Canary: not null } => ReleaseStatus.Canary,
        { RolledBack: true } => ReleaseStatus.RolledBack,
        _ => ReleaseStatus.Stable,
    };

    /// <summary>The stable the current stable replaced (its bake baseline), or null.</summary>
    public int? PreviousStable => Lineage.Count >= 2 && Lineage[^1] == Stable ? Lineage[^2] : null;

    public bool IsRolledBackFrom(int version) => RolledBackFrom.Contains(version);

    public bool IsStableBaked(DateTimeOffset now, TimeSpan bakeTime)
        => Stable is not null && StableSince is { } since && now - since >= bakeTime;

    /// <summary>Records the stable as known good once its bake time has passed.</summary>
    public ReleaseState WithBakedStable(DateTimeOffset now, TimeSpan bakeTime)
        => IsStableBaked(now, bakeTime) && !KnownGood.Contains(Stable!.Value)
            ? this with { KnownGood = [.. KnownGood, Stable.Value] }
            : this;

    /// <summary>The newest known-good version never rolled back from, counting the current stable once it has baked.</summary>
    public int? LastKnownGood(DateTimeOffset now, TimeSpan bakeTime)
        => NewestEligible(WithBakedStable(now, bakeTime).KnownGood, leaving: null);

    /// <summary>
    /// The version a rollback from <paramref name="leaving"/> goes to when none is named: the newest known-good
    /// version, else the nearest earlier stable of the lineage; never <paramref name="leaving"/> and never a version
    /// that was rolled back from. Null when no version qualifies.
    /// </summary>
    public int? DefaultRollbackTarget(int leaving, DateTimeOffset now, TimeSpan bakeTime)
        => NewestEligible(WithBakedStable(now, bakeTime).KnownGood, leaving) ?? NewestEligible(Lineage, leaving);

    /// <summary>Makes <paramref name="version"/> the newest entry of the lineage.</summary>
    public IReadOnlyList<int> LineageWith(int version)
        => Lineage.Count > 0 && Lineage[^1] == version ? Lineage : [.. Lineage.Where(v => v != version), version];

    /// <summary>Marks <paramref name="version"/> as rolled back from.</summary>
    public IReadOnlyList<int> RolledBackFromWith(int version)
        => RolledBackFrom.Contains(version) ? RolledBackFrom : [.. RolledBackFrom, version];

    private int? NewestEligible(IReadOnlyList<int> candidates, int? leaving)
    {
        for (var i = candidates.Count - 1; i >= 0; i--)
        {
            var candidate = candidates[i];
            if (candidate != leaving && !RolledBackFrom.Contains(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
