namespace Rollgate.Routing;

/// <summary>RFC 9457 problem responses for errors the gateway itself produces on the data path.</summary>
public static class ProblemResponses
{
    /// <summary>
    /// Writes the problem unless the response has started. A data-path problem carries the request's
    /// <c>X-Request-Id</c> (<paramref name="requestId"/>), so a client can quote it whatever went wrong.
    /// </summary>
    public static Task WriteAsync(HttpContext context, string? requestId, int status, string type, string title, string detail,
        IDictionary<string, object?>? extensions = null)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return Task.CompletedTask;
        }

        if (requestId is not null)
        {
            response.Headers[RollgateHeaders.RequestId] = requestId;
        }

        return Results.Problem(detail: detail, statusCode: status, title: title, type: ProblemTypes.Base + type, extensions: extensions).ExecuteAsync(context);
    }
}
