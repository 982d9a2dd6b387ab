using Rollgate.Admin;
using Rollgate.Routing;
using Yarp.ReverseProxy.Model;

namespace Rollgate.Hosting;

/// <summary>
/// One process, two listeners: admin endpoints answer only on the admin port and proxy routes only on the proxy
/// port, decided by the connection's local port, which a client cannot spoof (unlike the Host header). A path that
/// matches nothing gets its 404 problem here too: a catch-all fallback endpoint would be a second candidate that
/// routing evaluates for every proxied request.
/// </summary>
public sealed class ListenerGuardMiddleware(RequestDelegate next, ListenerPorts ports)
{
    public Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null)
        {
            var agents = context.Request.Path.StartsWithSegments("/agents");
            return ProblemResponses.WriteAsync(context, StatusCodes.Status404NotFound,
                agents ? "unknown-agent" : "not-found",
                agents ? "Unknown agent" : "Not found",
                $"Nothing is routed at '{context.Request.Path}'.");
        }

        var onAdmin = context.Connection.LocalPort == ports.Admin;
        var misplaced = onAdmin
            ? endpoint.Metadata.GetMetadata<RouteModel>() is not null
            : endpoint.Metadata.GetMetadata<AdminEndpointMarker>() is not null;
        return misplaced
            ? ProblemResponses.WriteAsync(context, StatusCodes.Status404NotFound, "not-found", "Not found",
                onAdmin ? "Agent traffic is served on the proxy listener." : "The admin API is served on the admin listener only.")
            : next(context);
    }
}

public sealed record ListenerPorts(int Proxy, int Admin);
