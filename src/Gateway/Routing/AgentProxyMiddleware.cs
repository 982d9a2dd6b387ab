using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Rollgate.Security;
using Rollgate.Signals;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Rollgate.Routing;

/// <summary>
/// Runs inside YARP's proxy pipeline for every agent request: picks the version (preview, sticky bucket or random
/// draw against the canary weight), reassigns the request to that version's route and cluster, and measures the
/// outcome in-line. Reads one immutable table; no locks, no I/O. Only backend faults count against a version: a
/// request the client abandons is <c>canceled</c>, outside every figure rules read, and a request the gateway refuses
/// (body too large, unforwardable header) is not counted at all. Every problem it answers carries <c>X-Request-Id</c>.
/// </summary>
public sealed class AgentProxyMiddleware(
    RequestDelegate next,
    RoutingState routing,
    IProxyStateLookup proxyState,
    TokenRegistry tokens,
    IRequestLedger ledger,
    ProxyLimits limits,
    ILogger<AgentProxyMiddleware> logger)
{
    /// <summary>Canary request bodies up to this size are buffered so a failed canary attempt can be replayed on stable.</summary>
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
        request.Headers.Remove(RollgateHeaders.PreviewToken); // never forward an operator credential to a backend
        if (target is null)
        {
            await ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status503ServiceUnavailable, "no-deployed-version", "No deployed version",
                $"Agent '{agent.Name}' has no deployed version.");
            return;
        }

        if (!LimitBody(context))
        {
            await WriteTooLargeAsync(context, requestId);
            return;
        }

        // The gateway reads usage from bodies, so it asks backends for identity encoding.
        request.Headers.AcceptEncoding = StringValues.Empty;
        var replayable = target.Role == VersionRole.Canary && agent.Stable is not null && PrepareReplay(request);

        var body = context.Response.Body;
        try
        {
            if (Reassign(context, target, requestId, generated) is not { } assigned)
            {
                await WriteNotLoadedAsync(context, agent, target, requestId);
                return;
            }

            var started = Stopwatch.GetTimestamp();
            await next(context);
            var error = context.Features.Get<IForwarderErrorFeature>();
            if (error is { Error: ForwarderError.Request } && replayable && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
            {
                // The canary failed before sending a byte (refused, reset): count it against the canary, serve from stable.
                Record(target, context, null, error, Stopwatch.GetElapsedTime(started));
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
                started = Stopwatch.GetTimestamp();
                await next(context);
                error = context.Features.Get<IForwarderErrorFeature>();
            }

            if (assigned.UnforwardableHeader is { } header)
            {
                await ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status400BadRequest, "unforwardable-header", "Header cannot be forwarded",
                    $"The request header '{header}' cannot be forwarded: a header name may only hold letters, digits and !#$%&'*+-.^_`|~.");
                return;
            }

            switch (error is null ? FaultOwner.Backend : ForwarderFaults.OwnerOf(error.Error))
            {
                case FaultOwner.Backend:
                    // Served, or failed by the backend: measured, and counted against the version if it failed.
                    var capture = context.Response.Body as UsageCaptureStream;
                    capture?.Complete();
                    Record(target, context, capture, error, Stopwatch.GetElapsedTime(started));
                    Remember(target, requestId);
                    if (error is not null && !context.Response.HasStarted)
                    {
                        await WriteForwarderProblemAsync(context, agent, target, error, requestId);
                    }

                    break;
                case FaultOwner.Client when error!.Error == ForwarderError.RequestBodyClient && !context.Response.HasStarted
                                            && !context.RequestAborted.IsCancellationRequested:
                    // The client is still there, but its body could not be read (too large, malformed, too slow).
                    await WriteRequestBodyProblemAsync(context, requestId);
                    break;
                case FaultOwner.Client:
                    // The client went away: nothing to answer, and nothing the version did. A partly read usage event
                    // is left unparsed; the id is remembered, as the backend did serve it.
                    target.Canceled.Inc();
                    Remember(target, requestId);
                    break;
                default:
                    await WriteInternalErrorAsync(context, requestId);
                    break;
            }
        }
        catch (Exception exception) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            // The admin listener has ASP.NET Core's exception handler; the data path answers for itself (a bug, never by design).
            logger.LogError(exception, "Request {RequestId} to agent {Agent} failed in the gateway", requestId, agent.Name);
            await WriteInternalErrorAsync(context, requestId);
        }
        finally
        {
            if (context.Response.Body is UsageCaptureStream capture)
            {
                context.Response.Body = body;
                await capture.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Applies <c>Rollgate:MaxRequestBodySize</c> to this request (Kestrel stops reading a body that grows past it, and the
    /// request fails with 413), and tells whether the length the client declared is within it.
    /// </summary>
    private bool LimitBody(HttpContext context)
    {
        var limit = limits.MaxRequestBodySize;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        return !(context.Request.ContentLength > limit);
    }

    private void Remember(VersionTarget target, string requestId)
    {
        if (target.Role != VersionRole.Preview)
        {
            ledger.Remember(target.Agent, requestId, target.Number);
        }
    }

    /// <summary>
    /// Points the request at the target's version route and cluster (the route's transforms add the version's headers);
    /// null when this replica has not loaded them yet.
    /// </summary>
    private AgentProxyFeature? Reassign(HttpContext context, VersionTarget target, string requestId, bool generated)
        => proxyState.TryGetRoute(target.RouteId, out var route) && proxyState.TryGetCluster(target.ClusterId, out var cluster)
            ? AgentProxyFeature.Assign(context, route, cluster, requestId, generated)
            : null;

    private static Task WriteNotLoadedAsync(HttpContext context, AgentRoute agent, VersionTarget target, string requestId)
        => ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status503ServiceUnavailable, "version-not-loaded", "Version not loaded",
            $"Version {target.NumberText} of '{agent.Name}' is not loaded on this replica yet.");

    private Task WriteTooLargeAsync(HttpContext context, string requestId)
        => ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status413PayloadTooLarge, "request-too-large", "Request body too large",
            $"The request body is larger than the {limits.MaxRequestBodySize} bytes this gateway forwards.");

    /// <summary>YARP has set the status the body error calls for: 413 over the limit, 408 too slow, 400 malformed.</summary>
    private Task WriteRequestBodyProblemAsync(HttpContext context, string requestId)
        => context.Response.StatusCode == StatusCodes.Status413PayloadTooLarge
            ? WriteTooLargeAsync(context, requestId)
            : ProblemResponses.WriteAsync(context, requestId, context.Response.StatusCode, "unreadable-request-body", "Request body unreadable",
                "The request body could not be read from the client: malformed, or too slow to arrive.");

    private static Task WriteInternalErrorAsync(HttpContext context, string requestId)
        => ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status500InternalServerError, "internal-error", "Internal error",
            $"The gateway failed to handle request {requestId}.");

    private static void Record(VersionTarget target, HttpContext context, UsageCaptureStream? capture, IForwarderErrorFeature? error, TimeSpan elapsed)
    {
        var response = context.Response;
        var failed = error is not null || response.StatusCode >= 500;
        (failed ? target.Error : target.Success).Inc();
        target.Duration.Observe(elapsed.TotalSeconds);
        if (error is not null)
        {
            RecordFigures(target, new RequestSignal(true, elapsed.TotalMilliseconds, 0, 0, 0, TaskOutcome.None));
            return;
        }

        var cost = 0d;
        if (response.Headers.TryGetValue(RollgateHeaders.CostUsd, out var costHeader)
            && double.TryParse(costHeader, NumberStyles.Float, CultureInfo.InvariantCulture, out var reported) && reported >= 0)
        {
            cost = reported;
        }
        else if (capture is { HasUsage: true })
        {
            cost = target.Pricing.Cost(capture.InputTokens, capture.OutputTokens);
        }

        if (cost > 0)
        {
            target.Cost.Inc(cost);
        }

        if (capture is { HasUsage: true })
        {
            target.InputTokens.Inc(capture.InputTokens);
            target.OutputTokens.Inc(capture.OutputTokens);
        }

        var taskOutcome = TaskOutcome.None;
        if (response.Headers.TryGetValue(RollgateHeaders.Outcome, out var outcome))
        {
            if (string.Equals(outcome, "completed", StringComparison.OrdinalIgnoreCase))
            {
                taskOutcome = TaskOutcome.Completed;
                target.Completed.Inc();
            }
            else if (string.Equals(outcome, "failed", StringComparison.OrdinalIgnoreCase))
            {
                taskOutcome = TaskOutcome.Failed;
                target.Failed.Inc();
            }
        }

        RecordFigures(target, new RequestSignal(failed, elapsed.TotalMilliseconds, cost, capture?.InputTokens ?? 0, capture?.OutputTokens ?? 0, taskOutcome));
    }

    /// <summary>Preview requests are an operator trying a version, not traffic: they stay out of the figures rules compare.</summary>
    private static void RecordFigures(VersionTarget target, in RequestSignal signal)
    {
        if (target.Role != VersionRole.Preview)
        {
            target.Signals.Record(in signal);
        }
    }

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

    /// <summary>Preview is honoured only with an operator token; otherwise the header is ignored, as if never sent.</summary>
    private VersionTarget? PreviewTarget(AgentRoute agent, IHeaderDictionary headers)
        => int.TryParse(headers[RollgateHeaders.PreviewVersion], out var number)
           && agent.Previews.TryGetValue(number, out var target)
           && tokens.Resolve(headers[RollgateHeaders.PreviewToken].ToString()) is { Role: TokenRole.Operator }
            ? target
            : null;

    /// <summary>Idempotent requests can be sent again as they are; others only if their body is buffered first.</summary>
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

    /// <summary>The client's request id when usable; otherwise a new one, which the version route's transforms send on.</summary>
    private static (string Id, bool Generated) RequestId(IHeaderDictionary headers)
    {
        var requestId = headers[RollgateHeaders.RequestId].ToString();
        if (RequestIds.IsUsable(requestId))
        {
            return (requestId, false);
        }

        if (requestId.Length > 0)
        {
            headers.Remove(RollgateHeaders.RequestId); // unusable: replaced, not forwarded
        }

        return (RequestIds.Next(), true);
    }

    private static Task WriteForwarderProblemAsync(HttpContext context, AgentRoute agent, VersionTarget target, IForwarderErrorFeature error, string requestId)
    {
        context.Response.Headers[RollgateHeaders.Version] = target.NumberText;
        var detail = $"Version {target.NumberText} of '{agent.Name}': {error.Error}";
        return error.Error == ForwarderError.RequestTimedOut
            ? ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status504GatewayTimeout, "backend-timeout", "Backend timeout", detail)
            : ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status502BadGateway, "backend-unreachable", "Backend unreachable", detail);
    }
}
