using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Polly;
using Rollgate.Json;

namespace Rollgate.Notifications;

/// <summary>
/// POSTs history events to agents' webhooks. <see cref="Enqueue"/> never blocks or throws, so the release path cannot
/// be slowed by a receiver. Each endpoint has its own bounded queue, sender and Polly pipeline
/// (<see cref="WebhookPipelineFactory"/>): retries with exponential backoff and jitter on network errors, timeouts, 5xx,
/// 408 and 429, honouring Retry-After; no retry on other statuses. All waiting runs on the injected
/// <see cref="TimeProvider"/>. Registered as a hosted service, host shutdown stops the senders.
/// </summary>
public sealed class WebhookNotifier : BackgroundService
{
    private const string JsonMediaType = "application/json";

    private readonly HttpClient _http;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookNotifier> _logger;
    private readonly WebhookPipelineFactory _pipelines;
    private readonly ConcurrentDictionary<string, WebhookLane> _lanes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<WebhookLane, Task> _senders = new();
    // Never disposed: Enqueue may still read it from other threads after Dispose.
    private readonly CancellationTokenSource _shutdown = new();
    private long _delivered;
    private long _failed;
    private long _dropped;

    /// <param name="http">Not disposed by the notifier. Its own Timeout should be infinite: attempts are timed here.</param>
    /// <param name="options">Checked by <see cref="WebhookOptionsValidator"/>; not to be changed afterwards.</param>
    /// <param name="timeProvider">Every wait: backoff, attempt timeouts, idle senders, Retry-After dates.</param>
    /// <param name="logger">Receives the <see cref="WebhookLog"/> events.</param>
    /// <param name="randomizer">The jitter's random source, values in [0, 1); <see cref="Random.Shared"/> when null.</param>
    public WebhookNotifier(HttpClient http, WebhookOptions options, TimeProvider timeProvider, ILogger<WebhookNotifier> logger, Func<double>? randomizer = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        new WebhookOptionsValidator().ThrowIfInvalid(options);
        _http = http;
        _options = options;
        _time = timeProvider;
        _logger = logger;
        _pipelines = new WebhookPipelineFactory(options, timeProvider, randomizer ?? Random.Shared.NextDouble, logger);
    }

    /// <summary>Deliveries that got a 2xx. The instance counts mirror <see cref="WebhookMetrics"/>.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Deliveries refused with a non-retryable status, out of attempts, or to an unusable URL.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Deliveries pushed out of a full queue or still queued at shutdown.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Endpoints with a live sender; idle ones retire, so this stays as small as the recent set of webhooks.</summary>
    internal int ActiveEndpoints => _lanes.Count;

    /// <summary>A client fit for webhooks: no redirects (they would turn the POST into a GET), DNS changes picked up.</summary>
    public static HttpClient CreateHttpClient()
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        };
        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Rollgate-Webhooks", "1"));
        return client;
    }

    /// <summary>
    /// Queues the payload for each URL and returns at once. False when something was not queued (an unusable URL,
    /// a payload that does not serialize, shutdown); the reason is logged. Never throws.
    /// </summary>
    public bool Enqueue(IReadOnlyList<string> urls, WebhookPayload payload)
    {
        try
        {
            return EnqueueCore(urls, payload);
        }
        catch (Exception ex)
        {
            // A notification problem must never fail the release change that caused it.
            WebhookLog.NotQueued(_logger, ex, payload?.EventId, payload?.Agent);
            return false;
        }
    }

    private bool EnqueueCore(IReadOnlyList<string> urls, WebhookPayload payload)
    {
        ArgumentNullException.ThrowIfNull(urls);
        ArgumentNullException.ThrowIfNull(payload);
        if (urls.Count == 0)
        {
            return true;
        }

        if (_shutdown.IsCancellationRequested)
        {
            CountDropped(urls.Count);
            WebhookLog.RefusedWhileStopped(_logger, payload.EventId, payload.Agent);
            return false;
        }

        var delivery = new WebhookDelivery(payload.Type, payload.EventId, JsonSerializer.SerializeToUtf8Bytes(payload, RollgateJson.Options));
        var queuedAll = true;
        foreach (var url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                // Definitions are validated on write, so this is a bug upstream; count it rather than lose it silently.
                CountFailed();
                WebhookLog.UnusableUrl(_logger, payload.EventId, payload.Agent);
                queuedAll = false;
                continue;
            }

            Route(uri, delivery);
        }

        return queuedAll;
    }

    private void Route(Uri url, WebhookDelivery delivery)
    {
        while (true)
        {
            var lane = _lanes.GetOrAdd(url.AbsoluteUri, static (_, state) => state.Notifier.CreateLane(state.Url), (Notifier: this, Url: url));
            if (lane.TryWrite(delivery))
            {
                if (lane.TryClaimStart())
                {
                    StartSender(lane);
                }

                return;
            }

            // The lane retired between lookup and write (it is already out of the map): the next lookup makes a new one.
        }
    }

    private WebhookLane CreateLane(Uri url) => new(url, _options.QueueCapacity, OnDropped, _pipelines);

    private void OnDropped(WebhookLane lane)
    {
        CountDropped(1);
        var dropped = lane.CountDrop();
        // One line when a queue first overflows and one per further queue-full of drops: visible, never a flood.
        if (dropped == 1 || dropped % _options.QueueCapacity == 0)
        {
            WebhookLog.QueueFull(_logger, lane.LogUrl, dropped);
        }
    }

    private void StartSender(WebhookLane lane)
    {
        var sender = Task.Run(() => RunSenderAsync(lane));
        _senders[lane] = sender;
        // Registered after the add, so the removal can never run first and leak the entry.
        _ = sender.ContinueWith(done => _senders.TryRemove(lane, out var _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task RunSenderAsync(WebhookLane lane)
    {
        var ct = _shutdown.Token;
        try
        {
            while (true)
            {
                while (lane.Reader.TryRead(out var delivery))
                {
                    await DeliverAsync(lane, delivery, ct);
                }

                if (await WaitForWorkAsync(lane, ct))
                {
                    continue;
                }

                // Idle: leave the map first so new events make a new lane, then send what raced in before the retirement.
                _lanes.TryRemove(new KeyValuePair<string, WebhookLane>(lane.Url.AbsoluteUri, lane));
                lane.Retire();
                while (lane.Reader.TryRead(out var delivery))
                {
                    await DeliverAsync(lane, delivery, ct);
                }

                return;
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            DropRemaining(lane, "the notifier stopped");
        }
        catch (Exception ex)
        {
            // DeliverAsync handles its own failures, so this is a bug; retire the lane so later events get a working one.
            WebhookLog.SenderFailed(_logger, ex, lane.LogUrl);
            _lanes.TryRemove(new KeyValuePair<string, WebhookLane>(lane.Url.AbsoluteUri, lane));
            lane.Retire();
            DropRemaining(lane, "its sender failed");
        }
    }

    /// <summary>True when there is something to read; false after <see cref="WebhookOptions.IdleTimeout"/> with nothing.</summary>
    private async Task<bool> WaitForWorkAsync(WebhookLane lane, CancellationToken ct)
    {
        using var idle = new CancellationTokenSource(_options.IdleTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, idle.Token);
        try
        {
            return await lane.Reader.WaitToReadAsync(linked.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private void DropRemaining(WebhookLane lane, string why)
    {
        var left = 0;
        while (lane.Reader.TryRead(out _))
        {
            left++;
        }

        if (left > 0)
        {
            CountDropped(left);
            WebhookLog.QueuedDropped(_logger, left, lane.LogUrl, why);
        }
    }

    private async Task DeliverAsync(WebhookLane lane, WebhookDelivery delivery, CancellationToken ct)
    {
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(WebhookPipelineFactory.Delivery, delivery);
        try
        {
            var outcome = await lane.Pipeline.ExecuteOutcomeAsync(
                static (context, state) => state.Notifier.AttemptAsync(context, state.Lane, state.Delivery),
                context,
                (Notifier: this, Lane: lane, Delivery: delivery));
            Conclude(lane, delivery, outcome, context.Properties.GetValue(WebhookPipelineFactory.Attempts, 0), ct);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>One POST, timed out through the context's token. Failures come back as outcomes for the pipeline to judge.</summary>
    private async ValueTask<Outcome<HttpResponseMessage>> AttemptAsync(ResilienceContext context, WebhookLane lane, WebhookDelivery delivery)
    {
        context.Properties.Set(WebhookPipelineFactory.Attempts, context.Properties.GetValue(WebhookPipelineFactory.Attempts, 0) + 1);
        using var request = new HttpRequestMessage(HttpMethod.Post, lane.Url);
        request.Content = new ByteArrayContent(delivery.Body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(JsonMediaType) { CharSet = "utf-8" };
        // Lets receivers route on the event type and drop retried duplicates without parsing the body.
        request.Headers.TryAddWithoutValidation(RollgateHeaders.Event, delivery.Type);
        request.Headers.TryAddWithoutValidation(RollgateHeaders.EventId, delivery.EventId);
        try
        {
            return Outcome.FromResult(await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.CancellationToken));
        }
        catch (Exception ex)
        {
            return Outcome.FromException<HttpResponseMessage>(ex);
        }
    }

    /// <summary>Counts and logs the pipeline's final outcome, and releases its response.</summary>
    private void Conclude(WebhookLane lane, WebhookDelivery delivery, Outcome<HttpResponseMessage> outcome, int attempts, CancellationToken ct)
    {
        using var response = outcome.Result;
        if (outcome.Exception is OperationCanceledException && ct.IsCancellationRequested)
        {
            // Shutdown caught this one mid-attempt or in backoff; the sender then drops what is still queued.
            CountDropped(1);
            WebhookLog.InFlightDropped(_logger, delivery.EventId, delivery.Type, lane.LogUrl);
            ct.ThrowIfCancellationRequested();
        }

        if (WebhookOutcome.IsDelivered(outcome))
        {
            CountDelivered();
            if (attempts > 1)
            {
                WebhookLog.DeliveredAfterRetries(_logger, delivery.EventId, lane.LogUrl, attempts);
            }

            return;
        }

        CountFailed();
        WebhookLog.GaveUp(_logger, delivery.EventId, delivery.Type, lane.LogUrl, attempts, _options.MaxAttempts,
            WebhookOutcome.Describe(outcome, _options.AttemptTimeout));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Delay(Timeout.InfiniteTimeSpan, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _shutdown.CancelAsync();
        // Senders end promptly once cancelled; waiting for them makes the drop counts final before the host exits.
        await Task.WhenAll(_senders.Values);
    }

    public override void Dispose()
    {
        _shutdown.Cancel();
        base.Dispose();
    }

    private void CountDelivered()
    {
        Interlocked.Increment(ref _delivered);
        WebhookMetrics.Delivered.Inc();
    }

    private void CountFailed()
    {
        Interlocked.Increment(ref _failed);
        WebhookMetrics.Failed.Inc();
    }

    private void CountDropped(int count)
    {
        Interlocked.Add(ref _dropped, count);
        WebhookMetrics.Dropped.Inc(count);
    }
}
