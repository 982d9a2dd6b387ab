using System.Buffers;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace Rollgate.Routing;

/// <summary>
/// Stops a request that carries a header the gateway cannot forward, rather than sending the backend a different
/// request than the client sent. Kestrel accepts header names that are not RFC 9110 tokens (<c>X-Foo(1)</c>,
/// <c>X-Foo@bar</c>); <see cref="HttpClient"/> refuses them and YARP then drops the header without a word.
/// The request is answered 400 instead (<see cref="AgentProxyFeature.UnforwardableHeader"/>).
/// </summary>
/// <remarks>
/// Runs first, right after YARP has copied the headers. When as many headers went out as came in, less the
/// hop-by-hop ones clients commonly send (which YARP never forwards), none was dropped and no name is looked at:
/// only a request with a header missing on the way out pays for the scan (and its enumerator).
/// </remarks>
public sealed class ForwardableHeadersTransform : RequestTransform
{
    public static ForwardableHeadersTransform Instance { get; } = new();

    /// <summary>RFC 9110 <c>tchar</c>: the characters a field name is made of.</summary>
    private static readonly SearchValues<char> TokenCharacters =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private ForwardableHeadersTransform()
    {
    }

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        if (!context.HeadersCopied)
        {
            return ValueTask.CompletedTask;
        }

        var incoming = context.HttpContext.Request.Headers;
        var outgoing = context.ProxyRequest;
        var forwarded = outgoing.Headers.NonValidated.Count + (outgoing.Content?.Headers.NonValidated.Count ?? 0);
        var hopByHop = Present(incoming.Connection) + Present(incoming.TransferEncoding) + Present(incoming.KeepAlive)
                       + Present(incoming.UpgradeInsecureRequests);
        if (forwarded + hopByHop >= incoming.Count || FirstUnforwardable(incoming) is not { } name)
        {
            return ValueTask.CompletedTask;
        }

        if (context.HttpContext.Features.Get<IReverseProxyFeature>() is AgentProxyFeature proxy)
        {
            proxy.UnforwardableHeader = name;
        }

        // A status other than 200 set by a transform tells YARP not to send the request.
        context.HttpContext.Response.StatusCode = StatusCodes.Status400BadRequest;
        return ValueTask.CompletedTask;
    }

    private static int Present(StringValues header) => header.Count > 0 ? 1 : 0;

    private static string? FirstUnforwardable(IHeaderDictionary headers)
    {
        foreach (var (name, _) in headers)
        {
            if (name.AsSpan().ContainsAnyExcept(TokenCharacters))
            {
                return name;
            }
        }

        return null;
    }
}
