using Microsoft.Extensions.Logging;

namespace Rollgate.Notifications;

/// <summary>The webhook notifier's log events. Ids are stable: dashboards and alerts may filter on them.</summary>
internal static partial class WebhookLog
{
    [LoggerMessage(1100, LogLevel.Error, "Webhook event {EventId} for agent {Agent} was not queued")]
    public static partial void NotQueued(ILogger logger, Exception exception, string? eventId, string? agent);

    [LoggerMessage(1101, LogLevel.Warning, "Webhook event {EventId} for agent {Agent} dropped: the notifier is stopped")]
    public static partial void RefusedWhileStopped(ILogger logger, string eventId, string agent);

    [LoggerMessage(1102, LogLevel.Warning, "Webhook event {EventId} for agent {Agent} not sent: a webhook URL is not absolute http(s)")]
    public static partial void UnusableUrl(ILogger logger, string eventId, string agent);

    [LoggerMessage(1103, LogLevel.Warning, "Webhook queue for {Url} is full; oldest deliveries dropped ({Dropped} so far)")]
    public static partial void QueueFull(ILogger logger, string url, long dropped);

    [LoggerMessage(1104, LogLevel.Error, "Webhook sender for {Url} failed")]
    public static partial void SenderFailed(ILogger logger, Exception exception, string url);

    [LoggerMessage(1105, LogLevel.Warning, "{Count} webhook deliveries to {Url} dropped: {Why}")]
    public static partial void QueuedDropped(ILogger logger, int count, string url, string why);

    [LoggerMessage(1106, LogLevel.Warning, "Webhook {EventId} ({Type}) to {Url} dropped: the notifier stopped")]
    public static partial void InFlightDropped(ILogger logger, string eventId, string type, string url);

    [LoggerMessage(1107, LogLevel.Information, "Webhook {EventId} delivered to {Url} on attempt {Attempt}")]
    public static partial void DeliveredAfterRetries(ILogger logger, string eventId, string url, int attempt);

    [LoggerMessage(1108, LogLevel.Information,
        "Webhook {EventId} ({Type}) to {Url} failed on attempt {Attempt} of {MaxAttempts}: {Reason}; retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, string eventId, string type, string url, int attempt, int maxAttempts, string reason, TimeSpan delay);

    [LoggerMessage(1109, LogLevel.Warning,
        "Webhook {EventId} ({Type}) to {Url} failed on attempt {Attempt} of {MaxAttempts}: {Reason}; giving up")]
    public static partial void GaveUp(ILogger logger, string eventId, string type, string url, int attempt, int maxAttempts, string reason);
}
