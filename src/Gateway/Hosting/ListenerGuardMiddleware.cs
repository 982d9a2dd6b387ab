using Rollgate.Admin;
using Rollgate.Routing;
using Yarp.ReverseProxy.Model;

namespace Rollgate.Hosting;

/// <summary>
/// One process, two listeners: admin endpoints answer only on the admin port and proxy routes only on the proxy
/// port. Decided by the connection's local port, which a client cannot spoof (unlike the Host header).
/// </summary>
public sealed class ListenerGuardMiddleware(RequestDelegate next, ListenerPorts ports)
{
    public Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is not null)
        {
            var onAdmin = context.Connection.LocalPort == ports.Admin;
            var isProxy = endpoint.Metadata.GetMetadata<RouteModel>() is not null;
            var isAdmin = endpoint.Metadata.GetMetadata<AdminEndpointMarker>() is not null;
            if ((onAdmin && isProxy) || (!onAdmin && isAdmin))
            {
                return ProblemResponses.WriteAsync(context, StatusCodes.Status404NotFound, "not-found", "Not found",
                    onAdmin ? "Agent traffic is served on the proxy listener." : "The admin API is served on the admin listener only.");
            }
        }

        return next(context);
    }
}

public sealed record ListenerPorts(int Proxy, int Admin);
