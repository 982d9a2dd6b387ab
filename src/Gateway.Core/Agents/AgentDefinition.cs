namespace Rollgate.Agents;

/// <summary>How an agent is reached and released: the operator-owned part of an agent, as sent to <c>PUT /admin/agents/{agent}</c>.</summary>
public sealed record AgentDefinition
{
    public static readonly AgentDefinition Default = new();

    /// <summary>Path prefix that routes to the agent; null means the default (see <see cref="EffectivePathPrefix"/>).</summary>
    public string? PathPrefix { get; init; }
    public IReadOnlyList<string> Hosts { get; init; } = [];
    public StickyBy StickyBy { get; init; } = StickyBy.Default;
    public string Mode { get; init; } = AgentModes.Passthrough;
    public IReadOnlyList<string> Rules { get; init; } = [];
    public RolloutPlan Rollout { get; init; } = RolloutPlan.Default;
    public TimeSpan BakeTime { get; init; } = TimeSpan.FromHours(1);
    public IReadOnlyList<string> Webhooks { get; init; } = [];
    public IReadOnlyList<DegradationRoute> Degradation { get; init; } = [];
    /// <summary>Rollback drills: their schedule and probe; unset, drills run only when asked for and check routing only.</summary>
    public DrillSettings? Drill { get; init; }
    /// <summary>Judged quality: unset, no answer is judged and <c>quality_score</c> has no data.</summary>
    public QualitySettings? Quality { get; init; }

    /// <summary>
    /// The path prefix that routes to <paramref name="agent"/>: the configured one; else none when the agent is matched by
    /// its host names; else <c>/agents/{agent}</c>.
    /// </summary>
    public string EffectivePathPrefix(string agent) => PathPrefix ?? (Hosts.Count > 0 ? "" : $"/agents/{agent}");
}

public static class AgentModes
{
    public const string Passthrough = "passthrough";
    public const string OpenAi = "openai";
}
