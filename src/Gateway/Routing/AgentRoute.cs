using System.Collections.Frozen;
using Rollgate.Release;

namespace Rollgate.Routing;

/// <summary>An agent's routing as of one generation: immutable, replaced whole when the release state changes.</summary>
public sealed class AgentRoute
{
    public required string Name { get; init; }
    public required long Generation { get; init; }
    public required ReleaseStatus Status { get; init; }
    public required StickyKeySource StickyKey { get; init; }
    public required ulong BucketSeed { get; init; }
    /// <summary>A managed (<c>openai</c>) agent: its requests are answered by the gateway's model calls, not forwarded by YARP.</summary>
    public bool Managed { get; init; }
    /// <summary>The agent's judge and sample rate, when its definition names a judge: a sample of its answers is judged.</summary>
    public Quality.QualityPlan? Quality { get; init; }
    public VersionTarget? Stable { get; init; }
    public VersionTarget? Canary { get; init; }
    /// <summary>Buckets (of 10,000) that go to the canary.</summary>
    public int CanaryThreshold { get; init; }
    public double CanaryPercent { get; init; }
    /// <summary>Every version of the agent in the preview role, for <c>X-Rollgate-Preview-Version</c>.</summary>
    public required FrozenDictionary<int, VersionTarget> Previews { get; init; }
}
