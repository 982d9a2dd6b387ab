using System.Net;
using Polly;
using Polly.Timeout;

namespace Rollgate.Notifications;

/// <summary>What one attempt's outcome means for its delivery. Descriptions are for logs and never carry the payload.</summary>
internal static class WebhookOutcome
{
    public static bool IsDelivered(in Outcome<HttpResponseMessage> outcome) => outcome.Result is { IsSuccessStatusCode: true };

    /// <summary>
    /// Network errors, attempt timeouts, 5xx, 408 and 429 may pass; other statuses and other exceptions (a handler bug,
    /// shutdown) would end the same way again.
    /// </summary>
    public static bool IsTransient(in Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => (int)response.StatusCode >= 500
            || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests,
        _ => false,
    };

    public static string Describe(in Outcome<HttpResponseMessage> outcome, TimeSpan attemptTimeout) => outcome switch
    {
        { Result: { } response } => $"HTTP {(int)response.StatusCode}",
        { Exception: TimeoutRejectedException } => $"no response within {attemptTimeout.TotalSeconds:0.###} s",
        { Exception: HttpRequestException ex } => $"{ex.HttpRequestError}: {ex.Message}",
        { Exception: { } ex } => $"{ex.GetType().Name}: {ex.Message}",
        _ => "no outcome",
    };
}
