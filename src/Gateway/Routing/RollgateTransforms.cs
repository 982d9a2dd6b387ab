using Rollgate.Signals;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Rollgate.Routing;

/// <summary>
/// The transforms of every version route. Toward the backend: the path after the agent's prefix
/// (<see cref="RestOfPathTransform"/>), <c>X-Rollgate-Agent</c>, <c>-Version</c>,
/// <c>-Version-Hash</c> and <c>-Role</c>, constants of the route (set, replacing anything a client sent), so no
/// request pays for building them. Toward the client: <c>X-Rollgate-Version</c> and <c>X-Request-Id</c>, and the
/// start of usage capture for bodies that can carry it (see <see cref="UsageCaptureStream"/>), which also copies a
/// sampled answer for the judge (<see cref="Quality.PassthroughSample"/>).
/// </summary>
public sealed class RollgateTransforms : ITransformProvider
{
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    public void Apply(TransformBuilderContext context)
    {
        var metadata = context.Route.Metadata;
        if (metadata is null || !metadata.TryGetValue(ProxyIds.VersionMetadataKey, out var version))
        {
            return; // entry routes only match; the request is reassigned to a version route before forwarding
        }

        context.RequestTransforms.Add(ForwardableHeadersTransform.Instance); // first: it compares what YARP copied
        context.RequestTransforms.Add(RestOfPathTransform.Instance);
        // YARP's defaults (Host from the destination, X-Forwarded-* set), added here rather than after ours: each of
        // them removes its header first, and that look-up is shorter while the version headers are not there yet.
        context.AddOriginalHost(useOriginal: false);
        context.AddXForwarded();
        context.RequestTransforms.Add(new VersionHeadersTransform(
        [
            new(RollgateHeaders.Agent, metadata[ProxyIds.AgentMetadataKey]),
            new(RollgateHeaders.Version, version),
            new(RollgateHeaders.VersionHash, metadata[ProxyIds.HashMetadataKey]),
            new(RollgateHeaders.Role, metadata[ProxyIds.RoleMetadataKey]),
        ]));
        context.AddResponseTransform(transformContext =>
        {
            var http = transformContext.HttpContext;
            var headers = http.Response.Headers;
            headers[RollgateHeaders.Version] = version;
            var proxy = http.Features.Get<IReverseProxyFeature>() as AgentProxyFeature;
            if (proxy is not null)
            {
                headers[RollgateHeaders.RequestId] = proxy.RequestId;
            }

            // The backend's headers are in place and the body is not copied yet: wrap it only if it can carry usage
            // (and, for a request sampled for the judge, the text to judge).
            if (transformContext.ProxyResponse is not null && UsageCaptureStream.For(http.Response) is { } capture)
            {
                http.Response.Body = capture;
                proxy?.Sample?.Keep(http.Response, capture);
            }

            return ValueTask.CompletedTask;
        });
    }
}
