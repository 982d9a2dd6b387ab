using System.Diagnostics;
using Rollgate.Security;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Rollgate.Routing;

/// <summary>
/// Runs inside YARP's proxy pipeline for every agent request: picks the version (preview, sticky bucket or random
/// draw against the canary weight), reassigns the request to that version's route and cluster, and measures the
/// outcome. Reads one immutable table; no locks, no I/O.
/// </summary>
public sealed class AgentProxyMiddleware(RequestDelegate next, RoutingState routing, IProxyStateLookup proxyState, TokenRegistry tokens)
{
    public const string VersionHeader = "X-Rollgate-Version";
    public const string RequestIdHeader = "X-Request-Id";
    public const string PreviewVersionHeader = "X-Rollgate-Preview-Version";
    public const string PreviewTokenHeader = "X-Rollgate-Preview-Token";

    public async Task InvokeAsync(HttpContext context)
    {
        var proxyFeature = context.GetReverseProxyFeature();
        if (!routing.Current.ByEntryRoute.TryGetValue(proxyFeature.Route.Config.RouteId, out var agent))
        {
            await ProblemResponses.WriteAsync(context, StatusCodes.Status404NotFound, "unknown-agent", "Unknown agent", "No agent is registered for this path.");
            return;
        }

        var target = Choose(agent, context);
        if (target is null)
        {
            await ProblemResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "no-deployed-version", "No deployed version",
                $"Agent '{agent.Name}' has no deployed version.");
            return;
        }

        if (!proxyState.TryGetRoute(target.RouteId, out var route) || !proxyState.TryGetCluster(target.ClusterId, out var cluster))
        {
            await ProblemResponses.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "version-not-loaded", "Version not loaded",
                $"Version {target.NumberText} of '{agent.Name}' is not loaded on this replica yet.");
            return;
        }

        context.ReassignProxyRequest(route, cluster);
        var requestId = PrepareHeaders(context.Request.Headers, target);
        context.Features.Set(new ProxyRequestFeature(target, requestId));

        var started = Stopwatch.GetTimestamp();
        await next(context);
        var elapsed = Stopwatch.GetElapsedTime(started);

        var error = context.Features.Get<IForwarderErrorFeature>();
        var failed = error is not null || context.Response.StatusCode >= 500;
        (failed ? target.Error : target.Success).Inc();
        target.Duration.Observe(elapsed.TotalSeconds);

        if (error is not null && !context.Response.HasStarted)
        {
            await WriteForwarderProblemAsync(context, agent, target, error, requestId);
        }
    }

    private VersionTarget? Choose(AgentRoute agent, HttpContext context)
    {
        var headers = context.Request.Headers;
        if (headers.ContainsKey(PreviewVersionHeader) && PreviewTarget(agent, headers) is { } preview)
        {
            return preview;
        }

        if (agent.Canary is not { } canary || agent.Stable is null)
        {
            return agent.Stable ?? agent.Canary;
        }

        var key = agent.StickyKey.Read(context.Request);
        var bucket = key.IsEmpty ? Random.Shared.Next(StickyBucket.Count) : StickyBucket.Of(agent.BucketSeed, key);
        return bucket < agent.CanaryThreshold ? canary : agent.Stable;
    }

    /// <summary>Preview is honoured only with an operator token; otherwise the header is ignored, as if never sent.</summary>
    private VersionTarget? PreviewTarget(AgentRoute agent, IHeaderDictionary headers)
        => int.TryParse(headers[PreviewVersionHeader], out var number)
           && agent.Previews.TryGetValue(number, out var target)
           && tokens.Resolve(headers[PreviewTokenHeader].ToString()) is { Role: TokenRole.Operator }
            ? target
            : null;

    private static string PrepareHeaders(IHeaderDictionary headers, VersionTarget target)
    {
        headers.Remove(PreviewTokenHeader); // never forward an operator credential to a backend
        headers["X-Rollgate-Agent"] = target.Agent;
        headers[VersionHeader] = target.NumberText;
        headers["X-Rollgate-Version-Hash"] = target.Hash;
        headers["X-Rollgate-Role"] = target.RoleText;
        var requestId = headers[RequestIdHeader].ToString();
        if (string.IsNullOrEmpty(requestId) || requestId.Length > 128)
        {
            requestId = Guid.NewGuid().ToString("N");
            headers[RequestIdHeader] = requestId;
        }

        return requestId;
    }

    private static Task WriteForwarderProblemAsync(HttpContext context, AgentRoute agent, VersionTarget target, IForwarderErrorFeature error, string requestId)
    {
        context.Response.Headers[VersionHeader] = target.NumberText;
        context.Response.Headers[RequestIdHeader] = requestId;
        var detail = $"Version {target.NumberText} of '{agent.Name}': {error.Error}";
        return error.Error == ForwarderError.RequestTimedOut
            ? ProblemResponses.WriteAsync(context, StatusCodes.Status504GatewayTimeout, "backend-timeout", "Backend timeout", detail)
            : ProblemResponses.WriteAsync(context, StatusCodes.Status502BadGateway, "backend-unreachable", "Backend unreachable", detail);
    }
}
