namespace Rollgate.Routing;

/// <summary>RFC 9457 problem responses for errors the gateway itself produces on the data path.</summary>
public static class ProblemResponses
{
    public static Task WriteAsync(HttpContext context, int status, string type, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        return Results.Problem(detail: detail, statusCode: status, title: title, type: ProblemTypes.Base + type, extensions: extensions).ExecuteAsync(context);
    }
}
