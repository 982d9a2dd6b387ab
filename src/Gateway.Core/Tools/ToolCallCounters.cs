using Prometheus;
using Rollgate.Observability;

namespace Rollgate.Tools;

/// <summary>The <c>rollgate_tool_requests_total</c> children of one tool and one calling version, made once and reused.</summary>
public sealed class ToolCallCounters(string tool, string agent, string version)
{
    /// <summary>The calling version's label value (empty when unknown).</summary>
    public string Version { get; } = version;

    public Counter.Child Success { get; } = RollgateMetrics.ToolRequests.WithLabels(tool, "success", agent, version);
    public Counter.Child Error { get; } = RollgateMetrics.ToolRequests.WithLabels(tool, "error", agent, version);
    /// <summary>The caller went away: not a failure of the tool.</summary>
    public Counter.Child Canceled { get; } = RollgateMetrics.ToolRequests.WithLabels(tool, "canceled", agent, version);
    /// <summary>Answered 503 at once because the circuit was open; the tool was not called.</summary>
    public Counter.Child Rejected { get; } = RollgateMetrics.ToolRequests.WithLabels(tool, "rejected", agent, version);
}
