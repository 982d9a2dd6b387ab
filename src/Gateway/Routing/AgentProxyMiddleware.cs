using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Rollgate.Managed;
using Rollgate.Quality;
using Rollgate.Security;
using Rollgate.Signals;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Rollgate.Routing;

/// <summary>
/// Runs inside YARP's proxy pipeline for every agent request, as a sequence of steps: the request id
/// (<see cref="RequestIds"/>), the agent's routing, the version (<see cref="VersionChooser"/>), the body limit, the
/// retry on stable (<see cref="StableRetry"/>), the sample for the judge (<see cref="PassthroughSample"/>), the forward
/// to the version's route and cluster, the owner of any fault (<see cref="ForwarderFaults"/>), and the request's
/// signals (<see cref="RequestRecorder"/>). Reads one immutable table; no I/O, and no locks but the judge queue's for a
/// request sampled for the judge. Only backend faults count against a version: a request the client abandons is
/// <c>canceled</c>, outside every figure rules read, and a request the gateway refuses (body too large, unforwardable
/// header) is not counted at all. Every problem it answers carries <c>X-Request-Id</c> (<see cref="ProxyProblems"/>).
/// </summary>
public sealed partial class AgentProxyMiddleware
{
    private readonly RequestDelegate _next;
    private readonly RoutingState _routing;
    private readonly IProxyStateLookup _proxyState;
    private readonly VersionChooser _chooser;
    private readonly IRequestRecorder _recorder;
    private readonly ProxyLimits _limits;
    private readonly ManagedChat _managed;
    private readonly JudgeQueue? _judges;
    private readonly ILogger _logger;

    public AgentProxyMiddleware(
        RequestDelegate next,
        RoutingState routing,
        IProxyStateLookup proxyState,
        TokenRegistry tokens,
        IRequestLedger ledger,
        ProxyLimits limits,
        ManagedChat managed,
        JudgeQueue judges,
        ILogger<AgentProxyMiddleware> logger)
        : this(next, routing, proxyState, new VersionChooser(tokens), new RequestRecorder(ledger), limits, managed, judges, logger)
    {
    }

    /// <param name="recorder">The signal step; the allocation benchmark passes one that records nothing.</param>
    /// <param name="judges">Where sampled answers go for judging; null: answers are never judged.</param>
    internal AgentProxyMiddleware(
        RequestDelegate next,
        RoutingState routing,
        IProxyStateLookup proxyState,
        VersionChooser chooser,
        IRequestRecorder recorder,
        ProxyLimits limits,
        ManagedChat managed,
        JudgeQueue? judges,
        ILogger<AgentProxyMiddleware> logger)
    {
        _next = next;
        _routing = routing;
        _proxyState = proxyState;
        _chooser = chooser;
        _recorder = recorder;
        _limits = limits;
        _managed = managed;
        _judges = judges;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var (requestId, generated) = RequestIds.For(request.Headers);
        if (!_routing.Current.ByEntryRoute.TryGetValue(context.GetReverseProxyFeature().Route.Config.RouteId, out var agent))
        {
            await ProxyProblems.UnknownAgentAsync(context, requestId);
            return;
        }

        var target = _chooser.Choose(agent, request);
        request.Headers.Remove(RollgateHeaders.PreviewToken); // never forward an operator credential to a backend
        if (target is null)
        {
            await ProxyProblems.NoDeployedVersionAsync(context, agent, requestId);
            return;
        }

        if (!LimitBody(context))
        {
            await ProxyProblems.TooLargeAsync(context, _limits.MaxRequestBodySize, requestId);
            return;
        }

        if (agent.Managed)
        {
            await InvokeManagedAsync(context, agent, target, requestId);
            return;
        }

        // The gateway reads usage from bodies, so it asks backends for identity encoding.
        request.Headers.AcceptEncoding = StringValues.Empty;
        var retry = StableRetry.Prepare(agent, target, request);
        // Decided before forwarding, so the body can be copied as YARP reads it; preview requests are not judged.
        using var sample = _judges is not null && agent.Quality is { } quality && target.Role != VersionRole.Preview
            ? PassthroughSample.Start(quality, request, _judges, target)
            : null;

        var body = context.Response.Body;
        try
        {
            if (Reassign(context, target, requestId, generated, sample) is not { } assigned)
            {
                await ProxyProblems.NotLoadedAsync(context, agent, target, requestId);
                return;
            }

            var started = Stopwatch.GetTimestamp();
            await _next(context);
            var error = context.Features.Get<IForwarderErrorFeature>();
            if (retry.Applies(context, error))
            {
                // The canary failed before sending a byte (refused, reset): count it against the canary, serve from stable.
                _recorder.RetriedOnStable(target, Stopwatch.GetElapsedTime(started));
                StableRetry.Rewind(context);
                target = agent.Stable!;
                if (Reassign(context, target, requestId, generated, sample) is not { } stable)
                {
                    await ProxyProblems.NotLoadedAsync(context, agent, target, requestId);
                    return;
                }

                assigned = stable;
                started = Stopwatch.GetTimestamp();
                await _next(context);
                error = context.Features.Get<IForwarderErrorFeature>();
            }

            if (assigned.UnforwardableHeader is { } header)
            {
                await ProxyProblems.UnforwardableHeaderAsync(context, header, requestId);
                return;
            }

            switch (error is null ? FaultOwner.Backend : ForwarderFaults.OwnerOf(error.Error))
            {
                case FaultOwner.Backend:
                    // Served, or failed by the backend: measured, and counted against the version if it failed.
                    _recorder.Forwarded(target, context, error, Stopwatch.GetElapsedTime(started), requestId);
                    if (error is not null && !context.Response.HasStarted)
                    {
                        await ProxyProblems.BackendAsync(context, agent, target, error, requestId);
                    }
                    else if (error is null)
                    {
                        sample?.Finish(_judges!, target, context.Response.StatusCode);
                    }

                    break;
                case FaultOwner.Client when error!.Error == ForwarderError.RequestBodyClient && !context.Response.HasStarted
                                            && !context.RequestAborted.IsCancellationRequested:
                    // The client is still there, but its body could not be read (too large, malformed, too slow).
                    await ProxyProblems.RequestBodyAsync(context, _limits.MaxRequestBodySize, requestId);
                    break;
                case FaultOwner.Client:
                    // The client went away: nothing to answer, and nothing the version did.
                    _recorder.Canceled(target, requestId);
                    break;
                default:
                    await ProxyProblems.InternalErrorAsync(context, requestId);
                    break;
            }
        }
        catch (Exception exception) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            // The admin listener has ASP.NET Core's exception handler; the data path answers for itself (a bug, never by design).
            LogRequestFailed(_logger, exception, requestId, agent.Name);
            await ProxyProblems.InternalErrorAsync(context, requestId);
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

    /// <summary>A managed agent's request: the gateway calls the model itself (<see cref="ManagedChat"/>); YARP is not involved.</summary>
    private async Task InvokeManagedAsync(HttpContext context, AgentRoute agent, VersionTarget target, string requestId)
    {
        try
        {
            await _managed.InvokeAsync(context, agent, target, requestId);
        }
        catch (Exception exception) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            LogRequestFailed(_logger, exception, requestId, agent.Name);
            await ProxyProblems.InternalErrorAsync(context, requestId);
        }
    }

    /// <summary>
    /// Applies <c>Rollgate:MaxRequestBodySize</c> to this request (Kestrel stops reading a body that grows past it, and the
    /// request fails with 413), and tells whether the length the client declared is within it.
    /// </summary>
    private bool LimitBody(HttpContext context)
    {
        var limit = _limits.MaxRequestBodySize;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        return !(context.Request.ContentLength > limit);
    }

    /// <summary>
    /// Points the request at the target's version route and cluster (the route's transforms add the version's headers);
    /// null when this replica has not loaded them yet.
    /// </summary>
    private AgentProxyFeature? Reassign(HttpContext context, VersionTarget target, string requestId, bool generated, PassthroughSample? sample)
        => _proxyState.TryGetRoute(target.RouteId, out var route) && _proxyState.TryGetCluster(target.ClusterId, out var cluster)
            ? AgentProxyFeature.Assign(context, route, cluster, requestId, generated, sample)
            : null;

    [LoggerMessage(1200, LogLevel.Error, "Request {RequestId} to agent {Agent} failed in the gateway")]
    private static partial void LogRequestFailed(ILogger logger, Exception exception, string requestId, string agent);
}
