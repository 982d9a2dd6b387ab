using Rollgate.Admin;
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
                return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", type: "https://rollgate.dev/problems/not-found",
                    detail: onAdmin ? "Agent traffic is served on the proxy listener." : "The admin API is served on the admin listener only.").ExecuteAsync(context);
            }
        }

        return next(context);
    }
}

public sealed record ListenerPorts(int Proxy, int Admin);
