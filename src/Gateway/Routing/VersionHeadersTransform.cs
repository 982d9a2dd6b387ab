using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace Rollgate.Routing;

/// <summary>
/// Sets the headers that tell a backend which version and role it serves (<c>X-Rollgate-Agent</c>, <c>-Version</c>,
/// <c>-Version-Hash</c>, <c>-Role</c>), constants of one version route, and <c>X-Request-Id</c> when the gateway
/// generated it (a client's own id is forwarded as it came). A client's copy of a version header is dropped, so a
/// backend can trust them. One transform instead of four of YARP's header transforms saves every request four
/// look-ups in the outgoing headers; the values are checked at version creation (no line breaks), so they go out
/// without validation.
/// </summary>
public sealed class VersionHeadersTransform(IReadOnlyList<KeyValuePair<string, string>> headers) : RequestTransform
{
    private readonly KeyValuePair<string, string>[] _headers = headers.ToArray();

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        var incoming = context.HttpContext.Request.Headers;
        var outgoing = context.ProxyRequest.Headers;
        foreach (var (name, value) in _headers)
        {
            if (context.HeadersCopied && incoming.ContainsKey(name))
            {
                outgoing.Remove(name);
            }

            outgoing.TryAddWithoutValidation(name, value);
        }

        if (context.HttpContext.Features.Get<IReverseProxyFeature>() is AgentProxyFeature { Generated: true } proxy)
        {
            outgoing.TryAddWithoutValidation(RollgateHeaders.RequestId, proxy.RequestId);
        }

        return ValueTask.CompletedTask;
    }
}
