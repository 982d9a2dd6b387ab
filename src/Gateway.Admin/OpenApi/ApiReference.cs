using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Rollgate.Admin.OpenApi;

/// <summary>
/// A reference page for the admin API at <see cref="Path"/>: a small page and script, embedded in the gateway, that
/// render the OpenAPI document, so it works where there is no internet. Served without a token, like the document, under
/// a Content-Security-Policy that allows only the gateway's own script, style and fetch.
/// </summary>
public static class ApiReference
{
    public const string Path = "/api";

    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly (string Route, string Resource, string ContentType)[] Files =
    [
        (Path, "index.html", "text/html; charset=utf-8"),
        (Path + "/reference.js", "reference.js", "text/javascript; charset=utf-8"),
        (Path + "/reference.css", "reference.css", "text/css; charset=utf-8"),
    ];

    public static void MapApiReference(this IEndpointRouteBuilder endpoints)
    {
        foreach (var (route, resource, contentType) in Files)
        {
            var content = Read(resource);
            endpoints.MapGet(route, (HttpContext context) =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers.CacheControl = "no-cache";
                return Results.Bytes(content, contentType);
            }).ExcludeFromDescription();
        }
    }

    private static byte[] Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Rollgate.Admin.OpenApi.Reference." + name)
                           ?? throw new InvalidOperationException($"The API reference's {name} is not embedded in the gateway");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
