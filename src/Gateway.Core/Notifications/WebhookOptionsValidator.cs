using Microsoft.Extensions.Options;
using Rollgate.Configuration;

namespace Rollgate.Notifications;

/// <summary>
/// Checks every <see cref="WebhookOptions"/> setting and reports all that are wrong at once, each by its full
/// configuration key, so an operator fixes them in one go.
/// </summary>
public sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    // Polly refuses attempt timeouts below 10 ms; timers need a positive period.
    private static readonly TimeSpan MinAttemptTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MinIdleTimeout = TimeSpan.FromMilliseconds(1);

    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var checks = new SettingChecks(WebhookOptions.SectionName);
        checks.AtLeast(nameof(WebhookOptions.QueueCapacity), options.QueueCapacity, 1);
        checks.AtLeast(nameof(WebhookOptions.MaxAttempts), options.MaxAttempts, 1);
        checks.Within(nameof(WebhookOptions.AttemptTimeout), options.AttemptTimeout, MinAttemptTimeout);
        checks.Within(nameof(WebhookOptions.BaseBackoff), options.BaseBackoff, TimeSpan.Zero);
        checks.Within(nameof(WebhookOptions.MaxBackoff), options.MaxBackoff, TimeSpan.Zero);
        checks.NotLess(nameof(WebhookOptions.MaxBackoff), options.MaxBackoff, nameof(WebhookOptions.BaseBackoff), options.BaseBackoff);
        checks.Within(nameof(WebhookOptions.RetryAfterCap), options.RetryAfterCap, TimeSpan.Zero);
        checks.Within(nameof(WebhookOptions.IdleTimeout), options.IdleTimeout, MinIdleTimeout);
        return checks.Result;
    }

    /// <summary>Throws when the options are invalid, for callers that construct them in code.</summary>
    internal static void ThrowIfInvalid(WebhookOptions options) => SettingChecks.ThrowIfInvalid(new WebhookOptionsValidator(), options);
}
