using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Rollgate.Routing;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Rollgate.Tools;

/// <summary>
/// The tool data path, <c>ANY /tools/{tool}/{**rest}</c> on the proxy listener: each call is forwarded by YARP's
/// forwarder, streaming both ways, inside the tool's resilience pipeline (<see cref="ToolCircuits"/>: a circuit breaker
/// around a timeout). Only the tool's faults count against it: 5xx, refused or broken connections and timeouts; a 4xx
/// answer or a caller that goes away is no failure. While the circuit is open the call is answered at once with a 503
/// <c>tool-unavailable</c> problem and the tool is not called. Calls are counted per tool and per calling agent version
/// (<see cref="ToolCallers"/>), which feeds the <c>tool_error_rate</c> rule metric.
/// </summary>
public sealed partial class ToolProxyMiddleware
{
    // The pipeline's timeout bounds a call; YARP's own inactivity timeout must not cut in first.
    private static readonly ForwarderRequestConfig RequestConfig = new() { ActivityTimeout = TimeSpan.FromDays(1) };

    private readonly RequestDelegate _next;
    private readonly ToolCircuits _circuits;
    private readonly ToolCallers _callers;
    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _client;
    private readonly ProxyLimits _limits;
    private readonly ILogger _logger;

    public ToolProxyMiddleware(RequestDelegate next, ToolCircuits circuits, ToolCallers callers, IHttpForwarder forwarder, IForwarderHttpClientFactory clients,
        ProxyLimits limits, ILogger<ToolProxyMiddleware> logger)
    {
        _next = next;
        _circuits = circuits;
        _callers = callers;
        _forwarder = forwarder;
        _client = ToolClient.Create(clients);
        _limits = limits;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        return path is not null && ToolPath.IsToolPath(path) ? CallAsync(context, path) : _next(context);
    }

    private async Task CallAsync(HttpContext context, string path)
    {
        var request = context.Request;
        var (requestId, generated) = RequestIds.For(request.Headers);
        if (generated)
        {
            request.Headers[RollgateHeaders.RequestId] = requestId; // the tool and the answer carry it too
        }

        ToolPath.Split(path, out var name, out _);
        if (!_circuits.TryGet(name, out var circuit))
        {
            await ToolProblems.UnknownToolAsync(context, name, requestId);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = _limits.MaxRequestBodySize;
        }

        if (request.ContentLength > _limits.MaxRequestBodySize)
        {
            await ProxyProblems.TooLargeAsync(context, _limits.MaxRequestBodySize, requestId);
            return;
        }

        var (counters, signals) = _callers.Of(request, circuit);
        var started = Stopwatch.GetTimestamp();
        var resilience = ResilienceContextPool.Shared.Get(context.RequestAborted);
        Outcome<ToolCallResult> outcome;
        try
        {
            outcome = await circuit.Pipeline.ExecuteOutcomeAsync(ForwardAsync, resilience, (this, context, circuit));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilience);
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        switch (outcome.Exception)
        {
            case BrokenCircuitException broken:
                counters.Rejected.Inc();
                signals?.RecordToolCall(failed: true);
                await ToolProblems.UnavailableAsync(context, circuit, broken.RetryAfter ?? circuit.RetryAfter(), requestId);
                return;
            case TimeoutRejectedException:
                Failed(circuit, counters, signals, elapsed);
                await ToolProblems.TimeoutAsync(context, circuit, requestId);
                return;
            case OperationCanceledException when context.RequestAborted.IsCancellationRequested:
                counters.Canceled.Inc();
                return;
            case { } exception:
                LogCallFailed(_logger, exception, requestId, circuit.Name);
                Failed(circuit, counters, signals, elapsed);
                await ToolProblems.UnreachableAsync(context, circuit, null, requestId);
                return;
        }

        var result = outcome.Result;
        switch (result.End)
        {
            case ToolCallEnd.Answered:
                counters.Success.Inc();
                circuit.Duration.Observe(elapsed);
                signals?.RecordToolCall(failed: false);
                break;
            case ToolCallEnd.ServerError:
                Failed(circuit, counters, signals, elapsed);
                break;
            case ToolCallEnd.BackendFault:
                Failed(circuit, counters, signals, elapsed);
                await ToolProblems.UnreachableAsync(context, circuit, result.Detail, requestId); // nothing is written once the tool's answer started
                break;
            case ToolCallEnd.ClientFault when !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested:
                await ProxyProblems.RequestBodyAsync(context, _limits.MaxRequestBodySize, requestId);
                break;
            case ToolCallEnd.ClientFault:
                counters.Canceled.Inc();
                break;
            default:
                await ProxyProblems.InternalErrorAsync(context, requestId);
                break;
        }
    }

    private static void Failed(ToolCircuit circuit, ToolCallCounters counters, Signals.VersionSignals? signals, double elapsedSeconds)
    {
        counters.Error.Inc();
        circuit.Duration.Observe(elapsedSeconds);
        signals?.RecordToolCall(failed: true);
    }

    /// <summary>One forward, judged for the breaker. A timeout surfaces as the pipeline's cancellation, which Polly's timeout turns into its own.</summary>
    private static async ValueTask<Outcome<ToolCallResult>> ForwardAsync(ResilienceContext resilience, (ToolProxyMiddleware Self, HttpContext Context, ToolCircuit Circuit) call)
    {
        var (self, context, circuit) = call;
        var token = resilience.CancellationToken;
        var error = await self._forwarder.SendAsync(context, circuit.Definition.Endpoint, self._client, RequestConfig, ToolTransformer.Instance, token);
        if (error == ForwarderError.None)
        {
            return Outcome.FromResult(context.Response.StatusCode >= 500 ? new ToolCallResult(ToolCallEnd.ServerError) : ToolCallResult.Answered);
        }

        if (context.RequestAborted.IsCancellationRequested)
        {
            return Outcome.FromResult(new ToolCallResult(ToolCallEnd.ClientFault));
        }

        if (token.IsCancellationRequested)
        {
            return Outcome.FromException<ToolCallResult>(new OperationCanceledException(token));
        }

        return Outcome.FromResult(ForwarderFaults.OwnerOf(error) switch
        {
            FaultOwner.Backend => new ToolCallResult(ToolCallEnd.BackendFault, ForwarderFaults.Describe(error).Replace("the backend", "the tool", StringComparison.Ordinal)),
            FaultOwner.Client => new ToolCallResult(ToolCallEnd.ClientFault),
            _ => new ToolCallResult(ToolCallEnd.GatewayFault),
        });
    }

    [LoggerMessage(1304, LogLevel.Error, "Tool call {RequestId} to {Tool} failed in the gateway")]
    private static partial void LogCallFailed(ILogger logger, Exception exception, string requestId, string tool);
}
