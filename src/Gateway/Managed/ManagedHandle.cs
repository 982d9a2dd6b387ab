using Prometheus;
using Rollgate.Observability;
using Rollgate.Versions;

namespace Rollgate.Managed;

/// <summary>
/// One version of a managed agent as the data path holds it: its <see cref="ManagedVersion"/>, built by the first
/// request that needs it (most versions of a fleet are never requested), and its model and guardrail metric children.
/// Shared by the version's roles, and kept across routing changes while the version's hash is the same, so the
/// version's guardrail expressions are compiled once.
/// </summary>
public sealed class ManagedHandle(string agent, AgentVersion version)
{
    private ManagedVersion? _version;
    private Counter.Child?[]? _modelRequests;
    private Counter.Child?[]? _fallbacks;
    private Counter.Child?[]? _withheld;
    private Counter.Child? _inputBlocks;
    private Counter.Child? _outputBlocks;

    public string Agent { get; } = agent;

    public string Hash => version.Hash;

    private string NumberText { get; } = version.Number.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The version as applied to requests; two first requests may race to build it, and either's serves.</summary>
    public ManagedVersion Version(TimeSpan defaultTimeout)
    {
        if (Volatile.Read(ref _version) is { } built)
        {
            return built;
        }

        var fresh = ManagedVersion.Build(version, defaultTimeout);
        return Interlocked.CompareExchange(ref _version, fresh, null) ?? fresh;
    }

    /// <summary><c>rollgate_model_requests_total</c> for one of <paramref name="managed"/>'s models and an outcome.</summary>
    public Counter.Child ModelRequests(ManagedVersion managed, int model, ModelOutcome outcome)
    {
        var children = _modelRequests ??= new Counter.Child?[managed.Models.Count * 3];
        return children[model * 3 + (int)outcome] ??= RollgateMetrics.ModelRequests.WithLabels(Agent, NumberText, managed.Models[model].Name, outcome switch
        {
            ModelOutcome.Success => "success",
            ModelOutcome.Error => "error",
            _ => "circuit_open",
        });
    }

    /// <summary><c>rollgate_fallbacks_total</c> for the move from model <paramref name="from"/> to the next.</summary>
    public Counter.Child Fallback(ManagedVersion managed, int from)
    {
        var children = _fallbacks ??= new Counter.Child?[managed.Models.Count];
        return children[from] ??= RollgateMetrics.Fallbacks.WithLabels(Agent, NumberText, managed.Models[from].Name, managed.Models[from + 1].Name);
    }

    /// <summary><c>rollgate_tools_withheld_total</c> for one of the version's tools.</summary>
    public Counter.Child Withheld(ManagedVersion managed, int tool)
    {
        var children = _withheld ??= new Counter.Child?[managed.ToolNames.Count];
        return children[tool] ??= RollgateMetrics.ToolsWithheld.WithLabels(Agent, NumberText, managed.ToolNames[tool]);
    }

    public Counter.Child InputBlocks => _inputBlocks ??= RollgateMetrics.GuardrailBlocks.WithLabels(Agent, NumberText, "input");

    public Counter.Child OutputBlocks => _outputBlocks ??= RollgateMetrics.GuardrailBlocks.WithLabels(Agent, NumberText, "output");
}

/// <summary>What became of one call to a model endpoint.</summary>
public enum ModelOutcome
{
    /// <summary>The model answered below 500.</summary>
    Success,

    /// <summary>5xx, unreachable, or silent past the timeout.</summary>
    Error,

    /// <summary>Not called: its circuit is open.</summary>
    CircuitOpen,
}
