namespace Rollgate.Notifications;

/// <summary>The outcome of one POST. Reason is for logs only and never carries the payload.</summary>
internal readonly record struct WebhookAttempt(bool Delivered, bool Retryable, string Reason, TimeSpan? RetryAfter = null)
{
    public static readonly WebhookAttempt Success = new(true, false, "delivered");
}
