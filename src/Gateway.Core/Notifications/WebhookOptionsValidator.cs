using Microsoft.Extensions.Options;

namespace Rollgate.Notifications;

/// <summary>
/// Checks every <see cref="WebhookOptions"/> setting and reports all that are wrong at once, each by its full
/// configuration key, so an operator fixes them in one go.
/// </summary>
public sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    // The bounds Polly accepts for retry delays and attempt timeouts; timers take no more than this either.
    private static readonly TimeSpan MaxDuration = TimeSpan.FromDays(1);
    private static readonly TimeSpan MinAttemptTimeout = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan MinIdleTimeout = TimeSpan.FromMilliseconds(1);

    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        AtLeastOne(failures, nameof(WebhookOptions.QueueCapacity), options.QueueCapacity);
        AtLeastOne(failures, nameof(WebhookOptions.MaxAttempts), options.MaxAttempts);
        Within(failures, nameof(WebhookOptions.AttemptTimeout), options.AttemptTimeout, MinAttemptTimeout);
        Within(failures, nameof(WebhookOptions.BaseBackoff), options.BaseBackoff, TimeSpan.Zero);
        Within(failures, nameof(WebhookOptions.MaxBackoff), options.MaxBackoff, TimeSpan.Zero);
        if (options.MaxBackoff < options.BaseBackoff)
        {
            failures.Add($"{Key(nameof(WebhookOptions.MaxBackoff))} must not be less than {Key(nameof(WebhookOptions.BaseBackoff))} " +
                $"(it is {options.MaxBackoff:c}, below {options.BaseBackoff:c})");
        }

        Within(failures, nameof(WebhookOptions.RetryAfterCap), options.RetryAfterCap, TimeSpan.Zero);
        Within(failures, nameof(WebhookOptions.IdleTimeout), options.IdleTimeout, MinIdleTimeout);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Throws when the options are invalid, for callers that construct them in code.</summary>
    internal static void ThrowIfInvalid(WebhookOptions options)
    {
        var result = new WebhookOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(WebhookOptions), result.Failures);
        }
    }

    private static string Key(string property) => $"{WebhookOptions.SectionName}:{property}";

    private static void AtLeastOne(List<string> failures, string property, int value)
    {
        if (value < 1)
        {
            failures.Add($"{Key(property)} must be at least 1 (it is {value})");
        }
    }

    private static void Within(List<string> failures, string property, TimeSpan value, TimeSpan min)
    {
        if (value < min || value > MaxDuration)
        {
            failures.Add($"{Key(property)} must be from {min:c} to {MaxDuration:c} (it is {value:c})");
        }
    }
}
