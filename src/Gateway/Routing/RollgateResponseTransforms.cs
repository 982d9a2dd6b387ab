using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Rollgate.Routing;

/// <summary>Adds <c>X-Rollgate-Version</c> and <c>X-Request-Id</c> to every response from a version's backend.</summary>
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
            if (transformContext.HttpContext.Features.Get<ProxyRequestFeature>() is { } request)
            {
                var headers = transformContext.HttpContext.Response.Headers;
                headers[AgentProxyMiddleware.VersionHeader] = request.Target.NumberText;
                headers[AgentProxyMiddleware.RequestIdHeader] = request.RequestId;
            }

            return ValueTask.CompletedTask;
        });
    }
}
