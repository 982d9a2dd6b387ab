using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using Rollgate.Admin.Http;

namespace Rollgate.Admin.WebConsole;

/// <summary>
/// Serves the operator console on the admin listener: <c>GET /</c> is its page, <c>GET /console/{file}</c> its scripts
/// and styles. The files hold no data and need no token; everything the console shows it reads from <c>/admin</c>
/// with the token the operator signs in with.
/// </summary>
public static class ConsoleEndpoints
{
    public const string Prefix = "/console";

    /// <summary>
    /// Only the gateway's own files and its own API: no inline script or style (nothing injected into a page can run),
    /// no framing, no form posts elsewhere.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static void MapRollgateConsole(this IEndpointRouteBuilder endpoints)
    {
        // Files, not API: left out of the API description.
        endpoints.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], context => ServeAsync(context, "index.html"))
            .ExcludeFromDescription();
        endpoints.MapMethods(Prefix + "/{**path}", [HttpMethods.Get, HttpMethods.Head], context => ServeAsync(context, (string?)context.GetRouteValue("path") ?? ""))
            .ExcludeFromDescription();
    }

    private static Task ServeAsync(HttpContext context, string path)
    {
        if (!ConsoleAssets.All.TryGetValue(path, out var asset))
        {
            // The same problem answer as any other unknown path on the admin listener.
            return AdminProblems.Problem(StatusCodes.Status404NotFound, "not-found", "Not found", $"Nothing is routed at '{context.Request.Path}'.")
                .ExecuteAsync(context);
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        // Revalidate every time: a gateway upgrade changes the files under the same names.
        headers.CacheControl = "no-cache";
        headers.ETag = asset.ETag;
        headers.Vary = HeaderNames.AcceptEncoding;
        if (context.Request.Headers.IfNoneMatch.ToString() == asset.ETag)
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        var accepted = context.Request.GetTypedHeaders().AcceptEncoding;
        var (body, encoding) = Accepts(accepted, "br") ? (asset.Brotli, "br")
            : Accepts(accepted, "gzip") ? (asset.Gzip, "gzip")
            : (asset.Content, null);
        if (encoding is not null)
        {
            headers.ContentEncoding = encoding;
        }

        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    private static bool Accepts(IList<StringWithQualityHeaderValue> accepted, string coding)
        => accepted.Any(a => string.Equals(a.Value.Value, coding, StringComparison.OrdinalIgnoreCase) && a.Quality is not 0);
}
