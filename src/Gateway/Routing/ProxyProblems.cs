using Yarp.ReverseProxy.Forwarder;

namespace Rollgate.Routing;

/// <summary>
/// The problems the data path answers itself, each with its status, type and a detail naming what went wrong.
/// All go through <see cref="ProblemResponses.WriteAsync"/>, so every one carries the request's <c>X-Request-Id</c>.
/// </summary>
public static class ProxyProblems
{
    public static Task UnknownAgentAsync(HttpContext context, string requestId)
        => ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status404NotFound, "unknown-agent", "Unknown agent", "No agent is registered for this path.");

    public static Task NoDeployedVersionAsync(HttpContext context, AgentRoute agent, string requestId)
        => ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status503ServiceUnavailable, "no-deployed-version", "No deployed version",
            $"Agent '{agent.Name}' has no deployed version.");

    /// <summary>This replica has not loaded the version's YARP route or cluster yet.</summary>
    public static Task NotLoadedAsync(HttpContext context, AgentRoute agent, VersionTarget target, string requestId)
        => ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status503ServiceUnavailable, "version-not-loaded", "Version not loaded",
            $"Version {target.NumberText} of '{agent.Name}' is not loaded on this replica yet.");

    public static Task TooLargeAsync(HttpContext context, long limit, string requestId)
        => ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status413PayloadTooLarge, "request-too-large", "Request body too large",
            $"The request body is larger than the {limit} bytes this gateway forwards.");

    public static Task UnforwardableHeaderAsync(HttpContext context, string header, string requestId)
        => ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status400BadRequest, "unforwardable-header", "Header cannot be forwarded",
            $"The request header '{header}' cannot be forwarded: a header name may only hold letters, digits and !#$%&'*+-.^_`|~.");

    /// <summary>YARP has set the status the body error calls for: 413 over the limit, 408 too slow, 400 malformed.</summary>
    public static Task RequestBodyAsync(HttpContext context, long limit, string requestId)
        => context.Response.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? TooLargeAsync(context, limit, requestId)
            : ProblemResponses.WriteAsync(context, requestId, context.Response.StatusCode, "unreadable-request-body", "Request body unreadable",
                "The request body could not be read from the client: malformed, or too slow to arrive.");

    /// <summary>The backend timed out (504) or could not be reached or proxied (502); names the version that failed.</summary>
    public static Task BackendAsync(HttpContext context, AgentRoute agent, VersionTarget target, IForwarderErrorFeature error, string requestId)
    {
        context.Response.Headers[RollgateHeaders.Version] = target.NumberText;
        var detail = $"Version {target.NumberText} of '{agent.Name}': {ForwarderFaults.Describe(error.Error)}.";
        return error.Error == ForwarderError.RequestTimedOut
            ? ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status504GatewayTimeout, "backend-timeout", "Backend timeout", detail)
            : ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status502BadGateway, "backend-unreachable", "Backend unreachable", detail);
    }

    /// <summary>A failure of the gateway itself (a bug, never by design).</summary>
    public static Task InternalErrorAsync(HttpContext context, string requestId)
        => ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status500InternalServerError, "internal-error", "Internal error",
            $"The gateway failed to handle request {requestId}.");
}
