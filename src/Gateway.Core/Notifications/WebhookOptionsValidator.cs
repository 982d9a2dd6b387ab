using Rollgate.Configuration;

namespace Rollgate.Notifications;

/// <summary>Checks every <see cref="WebhookOptions"/> setting, each failure named by its full key.</summary>
public sealed class WebhookOptionsValidator() : SettingsValidator<WebhookOptions>(WebhookOptions.SectionName)
{
    // Polly refuses attempt timeouts below 10 ms.
    private static readonly TimeSpan MinAttemptTimeout = TimeSpan.FromMilliseconds(10);

    protected override void Check(WebhookOptions options, SettingChecks checks)
    {
        checks.AtLeast(nameof(WebhookOptions.QueueCapacity), options.QueueCapacity, 1);
        checks.AtLeast(nameof(WebhookOptions.MaxAttempts), options.MaxAttempts, 1);
        checks.Within(nameof(WebhookOptions.AttemptTimeout), options.AttemptTimeout, MinAttemptTimeout);
        checks.Within(nameof(WebhookOptions.BaseBackoff), options.BaseBackoff, TimeSpan.Zero);
        checks.Within(nameof(WebhookOptions.MaxBackoff), options.MaxBackoff, TimeSpan.Zero);
        checks.NotLess(nameof(WebhookOptions.MaxBackoff), options.MaxBackoff, nameof(WebhookOptions.BaseBackoff), options.BaseBackoff);
        checks.Within(nameof(WebhookOptions.RetryAfterCap), options.RetryAfterCap, TimeSpan.Zero);
        checks.Within(nameof(WebhookOptions.IdleTimeout), options.IdleTimeout, SettingChecks.MinPeriod);
    }
}
