using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Rollgate.Admin.Http;

/// <summary>
/// Gives an error status that the framework answers without a body (405 from routing, for one) a problem body like
/// every other admin error, keeping headers such as <c>Allow</c>.
/// </summary>
public static class StatusCodeProblems
{
    public static IApplicationBuilder UseStatusCodeProblems(this IApplicationBuilder app)
        => app.UseStatusCodePages(context => Write(context.HttpContext));

    private static Task Write(HttpContext context)
    {
        var status = context.Response.StatusCode;
        var (type, detail) = status switch
        {
            StatusCodes.Status405MethodNotAllowed => ("method-not-allowed",
                $"{context.Request.Method} is not allowed on '{context.Request.Path}'; allowed: {context.Response.Headers.Allow}."),
            StatusCodes.Status404NotFound => ("not-found", $"Nothing is routed at '{context.Request.Path}'."),
            _ => ("http-" + status, $"The request to '{context.Request.Path}' failed with status {status}."),
        };
        return AdminProblems.Problem(status, type, ReasonPhrases.GetReasonPhrase(status), detail).ExecuteAsync(context);
    }
}
