using Yarp.ReverseProxy.Forwarder;

namespace Rollgate.Routing;

/// <summary>
/// Retry on stable: a canary attempt that fails before the backend has sent anything (connection refused or reset)
/// is counted against the canary and the request is sent to the stable version instead, so a broken canary costs
/// its users nothing. Armed before the first attempt, and only for a request that can be sent twice: an idempotent
/// method without a body, or a body of at most 1 MiB, which is then buffered. A plain value kept by the caller;
/// nothing is allocated unless a body is buffered.
/// </summary>
public readonly struct StableRetry
{
    /// <summary>Canary request bodies up to this size are buffered so a failed canary attempt can be replayed on stable.</summary>
    private const int MaxReplayableBody = 1024 * 1024;

    private readonly bool _armed;

    private StableRetry(bool armed) => _armed = armed;

    /// <summary>Arms the retry when <paramref name="target"/> is the canary of an agent with a stable version and the request can be replayed.</summary>
    public static StableRetry Prepare(AgentRoute agent, VersionTarget target, HttpRequest request)
        => new(target.Role == VersionRole.Canary && agent.Stable is not null && PrepareReplay(request));

    /// <summary>True when the attempt failed before anything reached the client, and the client is still there.</summary>
    public bool Applies(HttpContext context, IForwarderErrorFeature? error)
        => error is { Error: ForwarderError.Request } && _armed && !context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested;

    /// <summary>Clears what the failed attempt left (the error, the status YARP set) and rewinds a buffered body.</summary>
    public static void Rewind(HttpContext context)
    {
        context.Features.Set<IForwarderErrorFeature>(null);
        context.Response.StatusCode = StatusCodes.Status200OK;
        if (context.Request.Body.CanSeek)
        {
            context.Request.Body.Position = 0;
        }
    }

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

        if (request.ContentLength is <= MaxReplayableBody)
        {
            request.EnableBuffering(bufferThreshold: 64 * 1024, bufferLimit: MaxReplayableBody);
            return true;
        }

        return false;
    }
}
