using Yarp.ReverseProxy.Transforms;

namespace Rollgate.Routing;

/// <summary>
/// Forwards the part of the path after the agent's prefix: the entry route's <c>{**rest}</c> value, so
/// <c>/agents/support-bot/v1/chat</c> reaches the backend as <c>/v1/chat</c>. Does what YARP's
/// <c>PathPattern: /{**rest}</c> does, without building a route-template binder on every request (about 2 µs each).
/// </summary>
public sealed class RestOfPathTransform : RequestTransform
{
    /// <summary>The catch-all parameter every entry route ends with.</summary>
    public const string Parameter = "rest";

    public static RestOfPathTransform Instance { get; } = new();

    private static readonly PathString Root = new("/");

    private RestOfPathTransform()
    {
    }

    public override ValueTask ApplyAsync(RequestTransformContext context)
    {
        // Route values hold the decoded path, as Request.Path does; PathString escapes it again when YARP builds the URI.
        context.Path = context.HttpContext.Request.RouteValues[Parameter] is string { Length: > 0 } rest
            ? new PathString(string.Concat("/", rest))
            : Root;
        return ValueTask.CompletedTask;
    }
}
