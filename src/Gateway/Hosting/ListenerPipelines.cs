using Rollgate.Routing;
using Rollgate.Tools;
using Yarp.ReverseProxy.Model;

namespace Rollgate.Hosting;

/// <summary>
/// One process, two listeners, two request pipelines. A request on the proxy port goes to a pipeline of its own,
/// whose routing table holds only YARP's agent routes; everything else (the admin API, metrics, health) is routed by
/// the application's main pipeline, which never sees an agent route. The listener is told by the connection's local
/// port, which a client cannot spoof (unlike the Host header). So no admin endpoint is reachable on the proxy port,
/// no agent on the admin port, and a proxied request pays for neither the admin middleware nor a routing table that
/// holds admin endpoints.
/// </summary>
public static class ListenerPipelines
{
    /// <summary>
    /// Sends the proxy port's requests to a separate pipeline: tool calls, then routing over YARP's routes only, YARP's proxy pipeline
    /// as <paramref name="configureProxy"/> builds it, and a 404 problem (with <c>X-Request-Id</c>, as every data-path
    /// problem) for paths no agent claims. Call it first, so nothing of the main pipeline runs for agent traffic.
    /// </summary>
    public static void UseProxyListener(this WebApplication app, int proxyPort, Action<IReverseProxyApplicationBuilder> configureProxy)
    {
        // A fresh builder, not app.New(): a branch of a WebApplication would route over the application's endpoints.
        var proxy = new ApplicationBuilder(app.Services);
        // Tool calls (/tools/…) are forwarded by their own middleware, before YARP's routing is consulted.
        proxy.UseMiddleware<ToolProxyMiddleware>();
        proxy.UseRouting();
        proxy.UseEndpoints(endpoints => endpoints.MapReverseProxy(configureProxy));
        proxy.Run(context => NotFoundAsync(context, RequestIds.Of(context.Request)));
        var proxyPipeline = proxy.Build();

        app.Use(next => context => context.Connection.LocalPort == proxyPort ? proxyPipeline(context) : next(context));
    }

    /// <summary>After routing in the main pipeline: a path that matches no endpoint gets the same 404 problem.</summary>
    public static void UseNotFoundProblem(this WebApplication app)
        => app.Use((context, next) => context.GetEndpoint() is null ? NotFoundAsync(context, requestId: null) : next(context));

    private static Task NotFoundAsync(HttpContext context, string? requestId)
    {
        var agents = context.Request.Path.StartsWithSegments("/agents");
        return ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status404NotFound,
            agents ? "unknown-agent" : "not-found",
            agents ? "Unknown agent" : "Not found",
            $"Nothing is routed at '{context.Request.Path}'.");
    }
}
