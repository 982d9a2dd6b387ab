using Yarp.ReverseProxy.Forwarder;

namespace Rollgate.Tools;

/// <summary>
/// Forwards a tool call as it came (method, headers, body, query) to the tool's endpoint with the <c>/tools/{tool}</c>
/// part of the path taken off, and answers with the caller's request id.
/// </summary>
internal sealed class ToolTransformer : HttpTransformer
{
    public static readonly ToolTransformer Instance = new();

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix,
        CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        ToolPath.Split(httpContext.Request.Path.Value!, out _, out var rest);
        proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, new PathString(rest.ToString()), httpContext.Request.QueryString);
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copyBody = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        httpContext.Response.Headers[RollgateHeaders.RequestId] = httpContext.Request.Headers[RollgateHeaders.RequestId];
        return copyBody;
    }
}
