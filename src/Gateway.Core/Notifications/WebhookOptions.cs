namespace Rollgate.Notifications;

/// <summary>Delivery limits. The defaults keep a dead endpoint's cost bounded: 4 attempts within about 25 s.</summary>
public sealed record WebhookOptions
{
    /// <summary>Queued deliveries per endpoint; beyond it the oldest is dropped so the newest events still go out.</summary>
    public int QueueCapacity { get; init; } = 1_000;

    public int MaxAttempts { get; init; } = 4;

    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Wait after the first failed attempt; it doubles per attempt (0.5 s, 1 s, 2 s) plus up to 25% jitter.</summary>
    public TimeSpan BaseBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A receiver's Retry-After is honoured up to this, so one header cannot stall its queue for hours.</summary>
    public TimeSpan RetryAfterCap { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>An endpoint's sender stops after this long with nothing to send; the next event starts it again.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(QueueCapacity, 1, nameof(QueueCapacity));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(AttemptTimeout, TimeSpan.Zero, nameof(AttemptTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(BaseBackoff, TimeSpan.Zero, nameof(BaseBackoff));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBackoff, BaseBackoff, nameof(MaxBackoff));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryAfterCap, TimeSpan.Zero, nameof(RetryAfterCap));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(IdleTimeout, TimeSpan.Zero, nameof(IdleTimeout));
    }
}
