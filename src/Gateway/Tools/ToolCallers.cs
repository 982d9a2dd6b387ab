using System.Globalization;
using Rollgate.Routing;
using Rollgate.Signals;

namespace Rollgate.Tools;

/// <summary>
/// Which agent version made a tool call: the <c>X-Rollgate-Agent</c> and <c>X-Rollgate-Version</c> headers the gateway put
/// on the agent's request, which agents pass on to their tool calls. Only versions the gateway knows are attributed, so
/// the headers cannot create metric series or figures of their own.
/// </summary>
public sealed class ToolCallers(RoutingState routing)
{
    /// <summary>The counters and (for a known version) the figures the call is recorded in.</summary>
    public (ToolCallCounters Counters, VersionSignals? Signals) Of(HttpRequest request, ToolCircuit circuit)
    {
        var agentName = request.Headers[RollgateHeaders.Agent];
        var versionText = request.Headers[RollgateHeaders.Version];
        if (agentName.Count == 1 && versionText.Count == 1
            && routing.Current.ByName.TryGetValue(agentName[0]!, out var agent)
            && int.TryParse(versionText[0], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            && agent.Previews.TryGetValue(number, out var version))
        {
            return (circuit.CountersFor(agent.Name, number, version.NumberText), version.Signals);
        }

        return (circuit.Unattributed, null);
    }
}
