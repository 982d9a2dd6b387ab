using System.Collections.Frozen;
using Rollgate.Release;
using Rollgate.Signals;

namespace Rollgate.Routing;

/// <summary>Turns an agent's committed record into the <see cref="AgentRoute"/> the hot path reads.</summary>
public static class AgentRouteBuilder
{
    /// <param name="previews">The previous route's preview targets, reused when the versions have not changed.</param>
    public static AgentRoute Build(AgentSnapshot snapshot, SignalRecorder recorder, FrozenDictionary<int, VersionTarget>? previews = null)
    {
        var record = snapshot.Record;
        var state = record.State;
        VersionTarget? Target(int? number, VersionRole role)
            => number is { } n && snapshot.Versions.TryGetValue(n, out var version) ? new VersionTarget(record.Name, version, role, recorder.For(record.Name, n)) : null;

        // While degraded, the degradation's version serves as stable and the (paused) canary gets nothing.
        var canary = Target(state.ServingCanary, VersionRole.Canary);
        return new AgentRoute
        {
            Name = record.Name,
            Generation = record.Generation,
            Status = state.Status,
            StickyKey = new StickyKeySource(record.Definition.StickyBy),
            BucketSeed = StickyBucket.Seed(record.Name),
            Stable = Target(state.ServingStable, VersionRole.Stable),
            Canary = canary,
            CanaryPercent = canary is null ? 0 : state.CanaryPercent,
            CanaryThreshold = canary is null ? 0 : StickyBucket.Threshold(state.CanaryPercent),
            Previews = previews ?? snapshot.Versions.Values.ToFrozenDictionary(v => v.Number, v => new VersionTarget(record.Name, v, VersionRole.Preview, recorder.For(record.Name, v.Number))),
        };
    }
}
