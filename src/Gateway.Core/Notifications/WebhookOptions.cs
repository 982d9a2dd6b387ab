namespace Rollgate.Notifications;

/// <summary>
/// Delivery limits, bound from <c>Rollgate:Webhooks</c>. The defaults keep a dead endpoint's cost bounded: 4 attempts
/// within about 25 s.
/// </summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Rollgate:Webhooks";

    /// <summary>Queued deliveries per endpoint; beyond it the oldest is dropped so the newest events still go out.</summary>
    public int QueueCapacity { get; set; } = 1_000;

    /// <summary>POSTs per delivery, the first included.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>How long one attempt may wait for the response headers before it counts as failed.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The typical wait after the first failed attempt; it doubles per attempt (about 0.5 s, 1 s, 2 s) with jitter,
    /// so endpoints recovering together are not retried in step.
    /// </summary>
    public TimeSpan BaseBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest backoff; a receiver's Retry-After is capped by <see cref="RetryAfterCap"/> instead.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A receiver's Retry-After replaces the backoff, but only up to this, so one header cannot stall its queue for hours.
    /// </summary>
    public TimeSpan RetryAfterCap { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>An endpoint's sender stops after this long with nothing to send; the next event starts it again.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(5);
}
