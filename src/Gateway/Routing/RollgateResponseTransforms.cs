using Rollgate.Signals;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Rollgate.Routing;

/// <summary>
/// For every response from a version's backend: adds <c>X-Rollgate-Version</c> and <c>X-Request-Id</c>, and starts
/// reading token usage from bodies that can carry it (see <see cref="UsageCaptureStream"/>).
/// </summary>
public sealed class RollgateResponseTransforms : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        if (context.Route.RouteId.StartsWith(ProxyIds.EntryRoutePrefix, StringComparison.Ordinal))
        {
            return;
        }

        context.AddResponseTransform(static transformContext =>
        {
            // The middleware put the chosen version and the request id on the request; echo them to the client.
            var http = transformContext.HttpContext;
            var requestHeaders = http.Request.Headers;
            var headers = http.Response.Headers;
            headers[AgentProxyMiddleware.VersionHeader] = requestHeaders[AgentProxyMiddleware.VersionHeader];
            headers[AgentProxyMiddleware.RequestIdHeader] = requestHeaders[AgentProxyMiddleware.RequestIdHeader];

            // The backend's headers are in place and the body is not copied yet: wrap it only if it can carry usage.
            if (transformContext.ProxyResponse is not null && UsageCaptureStream.For(http.Response) is { } capture)
            {
                http.Response.Body = capture;
            }

            return ValueTask.CompletedTask;
        });
    }
}
