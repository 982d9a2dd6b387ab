using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Rollgate.Routing;
using Rollgate.Security;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;

namespace Rollgate.Benchmarks;

/// <summary>
/// The "signals off" baseline: a line-for-line copy of <see cref="AgentProxyMiddleware"/> (version choice, preview,
/// replay preparation, request id, reassignment, version headers, problem responses) with every signal removed:
/// no <c>UsageCaptureStream</c>, no response-body swap, no stopwatch, no counters, histogram, figures or ledger.
/// Keep it in step with the real middleware when the routing part of that changes.
/// </summary>
internal sealed class SignalFreeProxyMiddleware(RequestDelegate next, RoutingState routing, IProxyStateLookup proxyState, TokenRegistry tokens)
{
    private const int MaxReplayableBody = 1024 * 1024;

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var (requestId, generated) = RequestId(request.Headers);
        var proxyFeature = context.GetReverseProxyFeature();
        if (!routing.Current.ByEntryRoute.TryGetValue(proxyFeature.Route.Config.RouteId, out var agent))
        {
            await ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status404NotFound, "unknown-agent", "Unknown agent", "No agent is registered for this path.");
            return;
        }

        var target = Choose(agent, context);
        request.Headers.Remove(RollgateHeaders.PreviewToken);
        if (target is null)
        {
            await ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status503ServiceUnavailable, "no-deployed-version", "No deployed version",
                $"Agent '{agent.Name}' has no deployed version.");
            return;
        }

        if (!LimitBody(context))
        {
            await ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status413PayloadTooLarge, "request-too-large", "Request body too large", "Too large.");
            return;
        }

        request.Headers.AcceptEncoding = StringValues.Empty;
        var replayable = target.Role == VersionRole.Canary && agent.Stable is not null && PrepareReplay(request);

        if (Reassign(context, target, requestId, generated) is not { } assigned)
        {
            await WriteNotLoadedAsync(context, agent, target, requestId);
            return;
        }

        await next(context);
        var error = context.Features.Get<IForwarderErrorFeature>();
        if (error is { Error: ForwarderError.Request } && replayable && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            context.Features.Set<IForwarderErrorFeature>(null);
            context.Response.StatusCode = StatusCodes.Status200OK;
            if (request.Body.CanSeek)
            {
                request.Body.Position = 0;
            }

            target = agent.Stable!;
            if (Reassign(context, target, requestId, generated) is not { } stable)
            {
                await WriteNotLoadedAsync(context, agent, target, requestId);
                return;
            }

            assigned = stable;
            await next(context);
            error = context.Features.Get<IForwarderErrorFeature>();
        }

        if (assigned.UnforwardableHeader is not null)
        {
            await ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status400BadRequest, "unforwardable-header", "Header cannot be forwarded", "Unforwardable.");
            return;
        }

        if (error is not null && ForwarderFaults.OwnerOf(error.Error) == FaultOwner.Backend && !context.Response.HasStarted)
        {
            await ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status502BadGateway, "backend-unreachable", "Backend unreachable", $"{error.Error}");
        }
    }

    private static bool LimitBody(HttpContext context)
    {
        const long limit = 30_000_000;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        return !(context.Request.ContentLength > limit);
    }

    private AgentProxyFeature? Reassign(HttpContext context, VersionTarget target, string requestId, bool generated)
        => proxyState.TryGetRoute(target.RouteId, out var route) && proxyState.TryGetCluster(target.ClusterId, out var cluster)
            ? AgentProxyFeature.Assign(context, route, cluster, requestId, generated)
            : null;

    private static Task WriteNotLoadedAsync(HttpContext context, AgentRoute agent, VersionTarget target, string requestId)
        => ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status503ServiceUnavailable, "version-not-loaded", "Version not loaded",
            $"Version {target.NumberText} of '{agent.Name}' is not loaded on this replica yet.");

    private VersionTarget? Choose(AgentRoute agent, HttpContext context)
    {
        var headers = context.Request.Headers;
        if (headers.ContainsKey(RollgateHeaders.PreviewVersion) && PreviewTarget(agent, headers) is { } preview)
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

    private VersionTarget? PreviewTarget(AgentRoute agent, IHeaderDictionary headers)
        => int.TryParse(headers[RollgateHeaders.PreviewVersion], out var number)
           && agent.Previews.TryGetValue(number, out var target)
           && tokens.Resolve(headers[RollgateHeaders.PreviewToken].ToString()) is { Role: TokenRole.Operator }
            ? target
            : null;

    private static bool PrepareReplay(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)
            || HttpMethods.IsPut(request.Method) || HttpMethods.IsDelete(request.Method) || HttpMethods.IsTrace(request.Method))
        {
            if (request.ContentLength is null or 0 && !request.Headers.ContainsKey("Transfer-Encoding"))
            {
                return true;
            }
        }

        if (request.ContentLength is { } length and <= MaxReplayableBody)
        {
            request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: MaxReplayableBody);
            return true;
        }

        return false;
    }

    private static (string Id, bool Generated) RequestId(IHeaderDictionary headers)
    {
        var requestId = headers[RollgateHeaders.RequestId].ToString();
        if (RequestIds.IsUsable(requestId))
        {
            return (requestId, false);
        }

        if (requestId.Length > 0)
        {
            headers.Remove(RollgateHeaders.RequestId);
        }

        return (RequestIds.Next(), true);
    }
}
