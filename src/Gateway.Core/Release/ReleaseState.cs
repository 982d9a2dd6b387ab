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
    /// <summary>Set while a tool's circuit holds the agent on its degradation version; routing follows it over the release.</summary>
    public Degradation? Degradation { get; init; }
    /// <summary>
    /// Per tool, the moment an operator took over during a degradation (by deploying or rolling back): outages of the
    /// tool that began before it no longer degrade the agent, so the later restore cannot undo the operator's choice.
    /// </summary>
    public IReadOnlyDictionary<string, DateTimeOffset> DegradationWaived { get; init; } = new Dictionary<string, DateTimeOffset>();
    /// <summary>Rollback drills: the last one, and the one under way.</summary>
    public DrillState? Drill { get; init; }

    public ReleaseStatus Status => this switch
    {
        { Degradation: not null } => ReleaseStatus.Degraded,
        { Stable: null, Canary: null } => ReleaseStatus.Empty,
        { Canary: not null, Paused: true } => ReleaseStatus.Paused,
        { Canary: not null } => ReleaseStatus.Canary,
        { RolledBack: true } => ReleaseStatus.RolledBack,
        _ => ReleaseStatus.Stable,
    };

    /// <summary>The version serving stable traffic: the degradation's version while degraded, else the stable.</summary>
    public int? ServingStable => Degradation?.RouteTo ?? Stable;

    /// <summary>The version serving canary traffic: none while degraded (the canary waits, paused).</summary>
    public int? ServingCanary => Degradation is null ? Canary : null;

    /// <summary>Whether an outage of <paramref name="tool"/> that began at <paramref name="outageSince"/> was waived by an operator.</summary>
    public bool IsWaived(string tool, DateTimeOffset outageSince) => DegradationWaived.TryGetValue(tool, out var at) && outageSince <= at;

    /// <summary>Ends a degradation because an operator took over: the outage under way no longer degrades the agent.</summary>
    public ReleaseState OperatorTakesOver(DateTimeOffset now) => Degradation is { } degradation
        ? this with
        {
            Degradation = null,
            DegradationWaived = new Dictionary<string, DateTimeOffset>(DegradationWaived) { [degradation.Tool] = now },
        }
        : this;

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
