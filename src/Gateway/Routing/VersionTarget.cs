using Prometheus;
using Rollgate.Managed;
using Rollgate.Observability;
using Rollgate.Signals;
using Rollgate.Versions;

namespace Rollgate.Routing;

/// <summary>
/// One version in one role, with everything a request needs precomputed: YARP ids, header values and the
/// metric children, so the hot path neither formats strings nor looks up labels.
/// </summary>
public sealed class VersionTarget
{
    /// <param name="managed">For a managed agent: the version as the gateway applies it (shared by the version's roles).</param>
    public VersionTarget(string agent, AgentVersion version, VersionRole role, VersionSignals signals, ManagedHandle? managed = null)
    {
        Signals = signals;
        Managed = managed;
        Agent = agent;
        Number = version.Number;
        NumberText = version.Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Hash = version.Hash;
        Role = role;
        RoleText = ProxyIds.RoleName(role);
        RouteId = ProxyIds.VersionRoute(agent, version.Number, role);
        ClusterId = BackendCluster.Of(version).Id;
        Pricing = version.Pricing();
        if (role != VersionRole.Preview)
        {
            // Preview targets exist for every version; their series appear only once a preview request is made.
            _success = RollgateMetrics.Requests.WithLabels(agent, NumberText, RoleText, "success");
            _error = RollgateMetrics.Requests.WithLabels(agent, NumberText, RoleText, "error");
            _canceled = RollgateMetrics.Requests.WithLabels(agent, NumberText, RoleText, "canceled");
            _duration = RollgateMetrics.RequestDuration.WithLabels(agent, NumberText, RoleText);
        }
    }

    private Counter.Child? _success;
    private Counter.Child? _error;
    private Counter.Child? _canceled;
    private Histogram.Child? _duration;
    private Counter.Child? _cost;
    private Counter.Child? _inputTokens;
    private Counter.Child? _outputTokens;
    private Counter.Child? _completed;
    private Counter.Child? _failed;

    public string Agent { get; }
    public int Number { get; }
    public string NumberText { get; }
    public string Hash { get; }
    public VersionRole Role { get; }
    public string RoleText { get; }
    public string RouteId { get; }
    public string ClusterId { get; }
    public ModelPricing Pricing { get; }
    /// <summary>Set for every version of a managed (<c>openai</c>) agent, which the gateway itself applies to chat requests.</summary>
    public ManagedHandle? Managed { get; }
    /// <summary>This version's per-second figures (shared by all roles: rules compare versions, not roles).</summary>
    public VersionSignals Signals { get; }
    public Counter.Child Cost => _cost ??= RollgateMetrics.CostUsd.WithLabels(Agent, NumberText);
    public Counter.Child InputTokens => _inputTokens ??= RollgateMetrics.Tokens.WithLabels(Agent, NumberText, "input");
    public Counter.Child OutputTokens => _outputTokens ??= RollgateMetrics.Tokens.WithLabels(Agent, NumberText, "output");
    public Counter.Child Completed => _completed ??= RollgateMetrics.TaskOutcomes.WithLabels(Agent, NumberText, "completed");
    public Counter.Child Failed => _failed ??= RollgateMetrics.TaskOutcomes.WithLabels(Agent, NumberText, "failed");

    public Counter.Child Success => _success ??= RollgateMetrics.Requests.WithLabels(Agent, NumberText, RoleText, "success");
    public Counter.Child Error => _error ??= RollgateMetrics.Requests.WithLabels(Agent, NumberText, RoleText, "error");
    /// <summary>Requests the client abandoned: neither a success nor an error of the version.</summary>
    public Counter.Child Canceled => _canceled ??= RollgateMetrics.Requests.WithLabels(Agent, NumberText, RoleText, "canceled");
    public Histogram.Child Duration => _duration ??= RollgateMetrics.RequestDuration.WithLabels(Agent, NumberText, RoleText);
}
