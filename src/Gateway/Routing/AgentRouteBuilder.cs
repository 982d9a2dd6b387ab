using System.Collections.Frozen;
using Rollgate.Agents;
using Rollgate.Managed;
using Rollgate.Release;
using Rollgate.Signals;

namespace Rollgate.Routing;

/// <summary>Turns an agent's committed record into the <see cref="AgentRoute"/> the hot path reads.</summary>
public static class AgentRouteBuilder
{
    /// <param name="previews">The previous route's preview targets, reused when the versions have not changed.</param>
    /// <param name="known">The previous route's preview targets even when the versions changed: a managed version whose
    /// hash is the same keeps its <see cref="ManagedHandle"/> (and so its compiled guardrails).</param>
    public static AgentRoute Build(AgentSnapshot snapshot, SignalRecorder recorder, FrozenDictionary<int, VersionTarget>? previews = null,
        FrozenDictionary<int, VersionTarget>? known = null)
    {
        var record = snapshot.Record;
        var state = record.State;
        var managed = record.Definition.Mode == AgentModes.OpenAi;
        if (previews is not null && previews.Values.Any(p => p.Managed is not null != managed))
        {
            previews = null; // the agent's mode changed: its versions are applied another way now
        }

        var handles = managed ? ManagedHandles(snapshot, previews ?? known) : null;
        VersionTarget? Target(int? number, VersionRole role)
            => number is { } n && snapshot.Versions.TryGetValue(n, out var version)
                ? new VersionTarget(record.Name, version, role, recorder.For(record.Name, n), handles?[n])
                : null;

        // While degraded, the degradation's version serves as stable and the (paused) canary gets nothing.
        var canary = Target(state.ServingCanary, VersionRole.Canary);
        return new AgentRoute
        {
            Name = record.Name,
            Generation = record.Generation,
            Status = state.Status,
            StickyKey = new StickyKeySource(record.Definition.StickyBy),
            Managed = managed,
            Quality = Quality.QualityPlan.Of(record.Name, record.Definition),
            BucketSeed = StickyBucket.Seed(record.Name),
            Stable = Target(state.ServingStable, VersionRole.Stable),
            Canary = canary,
            CanaryPercent = canary is null ? 0 : state.CanaryPercent,
            CanaryThreshold = canary is null ? 0 : StickyBucket.Threshold(state.CanaryPercent),
            Previews = previews ?? snapshot.Versions.Values.ToFrozenDictionary(v => v.Number,
                v => new VersionTarget(record.Name, v, VersionRole.Preview, recorder.For(record.Name, v.Number), handles?[v.Number])),
        };
    }

    private static Dictionary<int, ManagedHandle> ManagedHandles(AgentSnapshot snapshot, FrozenDictionary<int, VersionTarget>? known)
        => snapshot.Versions.Values.ToDictionary(v => v.Number,
            v => known?.GetValueOrDefault(v.Number)?.Managed is { } handle && handle.Hash == v.Hash ? handle : new ManagedHandle(snapshot.Record.Name, v));
}
