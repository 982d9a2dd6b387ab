using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Rollgate.Admin.Http;

/// <summary>The agent generation as an HTTP entity tag: <c>ETag: "17"</c> out, <c>If-Match: "17"</c> in.</summary>
public static class Generation
{
    public static void SetETag(HttpContext context, long generation)
        => context.Response.Headers.ETag = $"\"{generation.ToString(CultureInfo.InvariantCulture)}\"";

    /// <summary>Null when no precondition was sent (or <c>*</c>); false when the header is not a generation.</summary>
    public static bool TryReadIfMatch(HttpContext context, out long? generation)
    {
        generation = null;
        var header = context.Request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0 || header == "*")
        {
            return true;
        }

        if (header.StartsWith("W/", StringComparison.Ordinal))
        {
            header = header[2..];
        }

        if (long.TryParse(header.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            generation = value;
            return true;
        }

        return false;
    }
}
