using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Rollgate.Notifications;

/// <summary>
/// Builds an endpoint's delivery pipeline, once per endpoint: a retry on transient outcomes (exponential backoff with
/// jitter from the given random source, or the receiver's Retry-After) around a per-attempt timeout. Every wait and
/// timeout runs on the given <see cref="TimeProvider"/>.
/// </summary>
internal sealed class WebhookPipelineFactory(WebhookOptions options, TimeProvider time, Func<double> randomizer, ILogger logger)
{
    /// <summary>The delivery an execution carries, for the retry log line.</summary>
    public static readonly ResiliencePropertyKey<WebhookDelivery> Delivery = new("rollgate.webhook.delivery");

    /// <summary>The attempts an execution has made so far.</summary>
    public static readonly ResiliencePropertyKey<int> Attempts = new("rollgate.webhook.attempts");

    public ResiliencePipeline<HttpResponseMessage> Create(string logUrl)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                ShouldHandle = static args => ValueTask.FromResult(WebhookOutcome.IsTransient(args.Outcome)),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseBackoff,
                MaxDelay = options.MaxBackoff,
                Randomizer = randomizer,
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome)),
                // Polly disposes the failed attempt's response after this, which frees its connection.
                OnRetry = args =>
                {
                    var delivery = args.Context.Properties.GetValue(Delivery, null!);
                    WebhookLog.Retrying(logger, delivery.EventId, delivery.Type, logUrl, args.AttemptNumber + 1, options.MaxAttempts,
                        WebhookOutcome.Describe(args.Outcome, options.AttemptTimeout), args.RetryDelay);
                    return default;
                },
            });
        }

        return builder.AddTimeout(new TimeoutStrategyOptions { Timeout = options.AttemptTimeout }).Build();
    }

    /// <summary>
    /// A positive Retry-After, in seconds or as an HTTP date, up to <see cref="WebhookOptions.RetryAfterCap"/>; null
    /// keeps the backoff.
    /// </summary>
    private TimeSpan? RetryAfter(in Outcome<HttpResponseMessage> outcome)
    {
        var header = outcome.Result?.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - time.GetUtcNow() : null);
        if (wait is not { } value)
        {
            return null;
        }

        var capped = value < options.RetryAfterCap ? value : options.RetryAfterCap;
        return capped > TimeSpan.Zero ? capped : null;
    }
}
