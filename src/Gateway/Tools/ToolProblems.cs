using System.Globalization;
using Rollgate.Routing;

namespace Rollgate.Tools;

/// <summary>The problems the tool data path answers itself; like every data-path problem, each carries <c>X-Request-Id</c>.</summary>
public static class ToolProblems
{
    public static Task UnknownToolAsync(HttpContext context, ReadOnlySpan<char> tool, string requestId)
        => ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status404NotFound, "unknown-tool", "Unknown tool",
            tool.IsEmpty ? "Name the tool: /tools/{tool}/…" : $"No tool named '{tool}' is registered.");

    /// <summary>The circuit is open: answered at once, without calling the tool, with when to try again.</summary>
    public static Task UnavailableAsync(HttpContext context, ToolCircuit circuit, TimeSpan retryAfter, string requestId)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status503ServiceUnavailable, "tool-unavailable", "Tool unavailable",
            $"Tool '{circuit.Name}' is failing and its circuit is open: it was not called. Retry after {seconds} s.",
            new Dictionary<string, object?> { ["tool"] = circuit.Name, ["retryAfterSeconds"] = seconds });
    }

    public static Task TimeoutAsync(HttpContext context, ToolCircuit circuit, string requestId)
        => ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status504GatewayTimeout, "tool-timeout", "Tool timeout",
            $"Tool '{circuit.Name}' did not answer within its timeout of {Json.Duration.Format(circuit.Definition.Timeout)}.",
            new Dictionary<string, object?> { ["tool"] = circuit.Name });

    public static Task UnreachableAsync(HttpContext context, ToolCircuit circuit, string? detail, string requestId)
        => ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status502BadGateway, "tool-unreachable", "Tool unreachable",
            $"Tool '{circuit.Name}': {detail ?? "the call failed"}.",
            new Dictionary<string, object?> { ["tool"] = circuit.Name });
}
