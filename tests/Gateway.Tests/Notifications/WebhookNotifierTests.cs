using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Rollgate.Notifications;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Rollgate.Tests.Notifications;

public sealed class WebhookNotifierTests : IDisposable
{
    private const string HookPath = "/hook";
    private static readonly TimeSpan RealLimit = TimeSpan.FromSeconds(5);

    private readonly FakeTimeProvider _time = new();
    private readonly CountingHandler _handler;
    private readonly DisposalTrackingHandler _responses;
    private readonly HttpClient _http;
    private readonly ListLogger<WebhookNotifier> _log = new();
    private readonly WireMockServer _server = WireMockServer.Start();
    private WebhookNotifier? _notifier;

    public WebhookNotifierTests()
    {
        _handler = new CountingHandler(_time);
        _responses = new DisposalTrackingHandler(_handler);
        _http = new HttpClient(_responses) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private string HookUrl => _server.Urls[0] + HookPath;

    // A long attempt timeout by default: fake time moves fast while a real request is in flight, and only the
    // timeout test should see attempts time out.
    private WebhookNotifier Notifier(WebhookOptions? options = null, Func<double>? randomizer = null) =>
        _notifier ??= new WebhookNotifier(_http, options ?? new WebhookOptions { AttemptTimeout = TimeSpan.FromMinutes(10) }, _time, _log, randomizer);

    [Fact]
    public async Task A_healthy_endpoint_receives_exactly_one_json_post()
    {
        Respond(200);
        var notifier = Notifier();

        Assert.True(notifier.Enqueue([HookUrl], Payload("evt_one")));

        Assert.True(await WaitUntil(() => notifier.Delivered == 1 && _server.LogEntries.Count() == 1));
        await Drive(() => false, step: TimeSpan.FromSeconds(2), budget: TimeSpan.FromSeconds(10));
        var entry = Assert.Single(_server.LogEntries);
        Assert.Equal("POST", entry.RequestMessage.Method);
        Assert.StartsWith("application/json", entry.RequestMessage.Headers!["Content-Type"].Single());
        Assert.Equal("evt_one", entry.RequestMessage.Headers[RollgateHeaders.EventId].Single());
        using var body = JsonDocument.Parse(entry.RequestMessage.Body!);
        var json = body.RootElement;
        Assert.Equal("support-bot", json.GetProperty("agent").GetString());
        Assert.Equal("rollback", json.GetProperty("type").GetString());
        Assert.Equal("rollback if error_rate > 5% over 5m", json.GetProperty("rule").GetString());
        Assert.Equal("rollback", json.GetProperty("action").GetString());
        Assert.Equal(14, json.GetProperty("from").GetInt32());
        Assert.Equal(13, json.GetProperty("to").GetInt32());
        Assert.Equal(42, json.GetProperty("generation").GetInt64());
        Assert.Equal(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero), json.GetProperty("at").GetDateTimeOffset());
        Assert.Equal("error rate 9% over 5m", json.GetProperty("detail").GetString());
        Assert.Equal(0.09, json.GetProperty("evidence").GetProperty("errorRate").GetDouble());
        Assert.Equal("evt_one", json.GetProperty("eventId").GetString());
        Assert.Equal((0L, 0L), (notifier.Failed, notifier.Dropped));
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff_until_delivered()
    {
        _server.Given(Request.Create().WithPath(HookPath).UsingPost()).InScenario("flaky").WillSetStateTo("failed once")
            .RespondWith(Response.Create().WithStatusCode(500));
        _server.Given(Request.Create().WithPath(HookPath).UsingPost()).InScenario("flaky").WhenStateIs("failed once").WillSetStateTo("failed twice")
            .RespondWith(Response.Create().WithStatusCode(500));
        _server.Given(Request.Create().WithPath(HookPath).UsingPost()).InScenario("flaky").WhenStateIs("failed twice")
            .RespondWith(Response.Create().WithStatusCode(200));
        var notifier = Notifier();

        notifier.Enqueue([HookUrl], Payload());

        // Nothing is retried until fake time moves: the backoff waits on the TimeProvider alone.
        Assert.True(await WaitUntil(() => _server.LogEntries.Count() == 1));
        Assert.True(await Drive(() => notifier.Delivered == 1, TimeSpan.FromMilliseconds(100)));
        Assert.Equal([500, 500, 200], _server.LogEntries.Select(e => (int)e.ResponseMessage.StatusCode!));
        Assert.Equal(0, notifier.Failed);
    }

    [Fact]
    public async Task A_dead_endpoint_gets_bounded_attempts_and_does_not_delay_a_healthy_one()
    {
        Respond(200);
        var notifier = Notifier();
        var dead = BlackHoleEndpoint.DeadUrl();

        notifier.Enqueue([dead], Payload("evt_dead", detail: "confidential detail"));
        Assert.True(await WaitUntil(() => _handler.Count(new Uri(dead)) == 1));
        // The dead endpoint's delivery now sits in backoff on fake time that never moves; the healthy one must not wait.
        notifier.Enqueue([HookUrl], Payload("evt_healthy"));
        Assert.True(await WaitUntil(() => notifier.Delivered == 1));

        Assert.True(await Drive(() => notifier.Failed == 1, TimeSpan.FromMilliseconds(250)));
        await Drive(() => false, step: TimeSpan.FromSeconds(5), budget: TimeSpan.FromMinutes(1));
        Assert.Equal(4, _handler.Count(new Uri(dead)));
        Assert.Single(_server.LogEntries);
        var logs = _log.Lines;
        Assert.Contains(logs, l => l.StartsWith("Warning") && l.Contains(dead) && l.Contains("attempt 4 of 4"));
        Assert.DoesNotContain(logs, l => l.Contains("confidential detail"));
        // Stable event ids: three retries, then giving up.
        Assert.Equal(3, _log.EventIds.Count(id => id == 1108));
        Assert.Single(_log.EventIds, 1109);
    }

    [Fact]
    public async Task A_silent_endpoint_times_out_each_attempt_without_delaying_others()
    {
        Respond(200);
        using var silent = new BlackHoleEndpoint();
        var notifier = Notifier(new WebhookOptions { AttemptTimeout = TimeSpan.FromSeconds(5) });
        var start = _time.GetUtcNow();

        notifier.Enqueue([silent.Url, HookUrl], Payload());

        Assert.True(await WaitUntil(() => notifier.Delivered == 1));
        Assert.True(await Drive(() => notifier.Failed == 1, TimeSpan.FromMilliseconds(500)));
        Assert.Equal(4, _handler.Count(new Uri(silent.Url)));
        // Four attempts of 5 s each plus the backoffs between them.
        Assert.True(_time.GetUtcNow() - start >= TimeSpan.FromSeconds(20));
        Assert.Contains(_log.Lines, l => l.Contains("no response within 5 s"));
    }

    [Fact]
    public async Task A_client_error_is_not_retried()
    {
        Respond(400);
        var notifier = Notifier();

        notifier.Enqueue([HookUrl], Payload());

        Assert.True(await WaitUntil(() => notifier.Failed == 1));
        await Drive(() => false, step: TimeSpan.FromSeconds(5), budget: TimeSpan.FromMinutes(1));
        Assert.Single(_server.LogEntries);
        Assert.Equal(0, notifier.Delivered);
        Assert.Contains(_log.Lines, l => l.Contains("HTTP 400") && l.Contains("attempt 1 of 4"));
    }

    [Fact]
    public async Task Retry_after_is_honoured_on_429()
    {
        _server.Given(Request.Create().WithPath(HookPath).UsingPost()).InScenario("throttled").WillSetStateTo("throttled once")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "10"));
        _server.Given(Request.Create().WithPath(HookPath).UsingPost()).InScenario("throttled").WhenStateIs("throttled once")
            .RespondWith(Response.Create().WithStatusCode(200));
        var notifier = Notifier();

        notifier.Enqueue([HookUrl], Payload());
        Assert.True(await WaitUntil(() => _server.LogEntries.Count() == 1));
        var throttledAt = _time.GetUtcNow();

        Assert.True(await Drive(() => notifier.Delivered == 1, TimeSpan.FromMilliseconds(500)));
        // The plain backoff would have retried after under a second.
        Assert.True(_time.GetUtcNow() - throttledAt >= TimeSpan.FromSeconds(10));
        Assert.Equal(2, _server.LogEntries.Count());
    }

    [Fact]
    public async Task Retry_after_as_an_http_date_is_honoured_on_503()
    {
        var retryAt = _time.GetUtcNow() + TimeSpan.FromSeconds(30);
        _server.Given(Request.Create().WithPath(HookPath).UsingPost()).InScenario("unavailable").WillSetStateTo("unavailable once")
            .RespondWith(Response.Create().WithStatusCode(503).WithHeader("Retry-After", retryAt.ToString("r")));
        _server.Given(Request.Create().WithPath(HookPath).UsingPost()).InScenario("unavailable").WhenStateIs("unavailable once")
            .RespondWith(Response.Create().WithStatusCode(200));
        var notifier = Notifier();
        var url = new Uri(HookUrl);

        notifier.Enqueue([HookUrl], Payload());
        Assert.True(await WaitUntil(() => _handler.Count(url) == 1));

        Assert.True(await Drive(() => notifier.Delivered == 1, TimeSpan.FromMilliseconds(500)));
        var sent = _handler.SentAt(url);
        Assert.Equal(2, sent.Count);
        Assert.InRange(sent[1] - sent[0], TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(32.5));
    }

    [Fact]
    public async Task Retry_after_is_honoured_only_up_to_the_cap()
    {
        _server.Given(Request.Create().WithPath(HookPath).UsingPost()).InScenario("throttled").WillSetStateTo("throttled once")
            .RespondWith(Response.Create().WithStatusCode(429).WithHeader("Retry-After", "3600"));
        _server.Given(Request.Create().WithPath(HookPath).UsingPost()).InScenario("throttled").WhenStateIs("throttled once")
            .RespondWith(Response.Create().WithStatusCode(200));
        var notifier = Notifier(new WebhookOptions { RetryAfterCap = TimeSpan.FromSeconds(20), AttemptTimeout = TimeSpan.FromMinutes(10) });
        var url = new Uri(HookUrl);

        notifier.Enqueue([HookUrl], Payload());
        Assert.True(await WaitUntil(() => _handler.Count(url) == 1));

        Assert.True(await Drive(() => notifier.Delivered == 1, TimeSpan.FromMilliseconds(500)));
        var sent = _handler.SentAt(url);
        Assert.InRange(sent[1] - sent[0], TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(22.5));
    }

    [Fact]
    public async Task A_retry_after_already_past_keeps_the_backoff()
    {
        var past = _time.GetUtcNow() - TimeSpan.FromMinutes(1);
        _server.Given(Request.Create().WithPath(HookPath).UsingPost()).InScenario("unavailable").WillSetStateTo("unavailable once")
            .RespondWith(Response.Create().WithStatusCode(503).WithHeader("Retry-After", past.ToString("r")));
        _server.Given(Request.Create().WithPath(HookPath).UsingPost()).InScenario("unavailable").WhenStateIs("unavailable once")
            .RespondWith(Response.Create().WithStatusCode(200));
        var notifier = Notifier(new WebhookOptions { AttemptTimeout = TimeSpan.FromMinutes(10) }, randomizer: () => 0.5);
        var url = new Uri(HookUrl);

        notifier.Enqueue([HookUrl], Payload());
        Assert.True(await WaitUntil(() => _handler.Count(url) == 1));

        Assert.True(await Drive(() => notifier.Delivered == 1, TimeSpan.FromMilliseconds(10)));
        // Not at once: the first backoff at a draw of 0.5 is 2^0.5·tanh(√2)/1.4 of BaseBackoff (about 0.45 s).
        var backoff = TimeSpan.FromMilliseconds(500 * Math.Sqrt(2) * Math.Tanh(Math.Sqrt(2)) / 1.4);
        var sent = _handler.SentAt(url);
        Assert.InRange(sent[1] - sent[0], backoff, backoff + TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_single_attempt_setting_never_retries()
    {
        Respond(503);
        var notifier = Notifier(new WebhookOptions { MaxAttempts = 1, AttemptTimeout = TimeSpan.FromMinutes(10) });

        Assert.True(notifier.Enqueue([HookUrl], Payload()));

        Assert.True(await WaitUntil(() => notifier.Failed == 1));
        await Drive(() => false, step: TimeSpan.FromSeconds(5), budget: TimeSpan.FromMinutes(1));
        Assert.Single(_server.LogEntries);
        Assert.Contains(_log.Lines, l => l.Contains("HTTP 503") && l.Contains("attempt 1 of 1"));
    }

    [Fact]
    public async Task The_backoff_jitter_comes_from_the_injected_random_source()
    {
        Respond(503);
        var notifier = Notifier(new WebhookOptions { MaxAttempts = 3, AttemptTimeout = TimeSpan.FromMinutes(10) }, randomizer: () => 0);
        var url = new Uri(HookUrl);

        notifier.Enqueue([HookUrl], Payload());

        // Polly's decorrelated jitter with every draw at 0 waits nothing before the first retry, so it comes without
        // fake time moving; a random draw would almost surely have put it later.
        Assert.True(await WaitUntil(() => _handler.Count(url) == 2));
        Assert.True(await Drive(() => notifier.Failed == 1, TimeSpan.FromMilliseconds(10)));
        var sent = _handler.SentAt(url);
        Assert.Equal(3, sent.Count);
        Assert.Equal(sent[0], sent[1]);
        // The second retry waits 2·tanh(2)/1.4 of BaseBackoff (about 0.69 s), the formula's value at a draw of 0.
        var second = TimeSpan.FromMilliseconds(500 * 2 * Math.Tanh(2) / 1.4);
        Assert.InRange(sent[2] - sent[1], second, second + TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Every_response_is_disposed_whether_retried_delivered_or_refused()
    {
        _server.Given(Request.Create().WithPath(HookPath).UsingPost()).InScenario("mixed").WillSetStateTo("failed once")
            .RespondWith(Response.Create().WithStatusCode(500));
        _server.Given(Request.Create().WithPath(HookPath).UsingPost()).InScenario("mixed").WhenStateIs("failed once").WillSetStateTo("delivered")
            .RespondWith(Response.Create().WithStatusCode(200).WithBody("thanks"));
        _server.Given(Request.Create().WithPath(HookPath).UsingPost()).InScenario("mixed").WhenStateIs("delivered")
            .RespondWith(Response.Create().WithStatusCode(400).WithBody("no"));
        var notifier = Notifier();

        notifier.Enqueue([HookUrl], Payload("evt_retried"));
        Assert.True(await WaitUntil(() => _server.LogEntries.Count() == 1));
        Assert.True(await Drive(() => notifier.Delivered == 1, TimeSpan.FromMilliseconds(100)));
        notifier.Enqueue([HookUrl], Payload("evt_refused"));
        Assert.True(await WaitUntil(() => notifier.Failed == 1));

        // A response left undisposed would hold its connection: the failed attempt's, the delivered one's, the refusal's.
        Assert.True(await WaitUntil(() => _responses.Undisposed == 0));
        Assert.Equal(3, _responses.Received);
    }

    [Fact]
    public async Task Enqueue_never_blocks_and_a_full_queue_drops_the_oldest()
    {
        var notifier = Notifier(new WebhookOptions { QueueCapacity = 1_000, AttemptTimeout = TimeSpan.FromMinutes(10) });
        var dead = BlackHoleEndpoint.DeadUrl();
        var droppedMetric = WebhookMetrics.Deliveries.WithLabels("dropped").Value;
        var payload = Payload();

        var clock = Stopwatch.StartNew();
        var accepted = 0;
        for (var i = 0; i < 10_000; i++)
        {
            accepted += notifier.Enqueue([dead], payload) ? 1 : 0;
        }

        clock.Stop();
        Assert.Equal(10_000, accepted);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"10,000 enqueues took {clock.Elapsed}");
        // The queue holds 1,000 and the sender may hold one more in flight.
        Assert.InRange(notifier.Dropped, 8_999, 9_000);
        Assert.True(WebhookMetrics.Deliveries.WithLabels("dropped").Value - droppedMetric >= 8_999);
        Assert.Contains(_log.Lines, l => l.Contains("queue") && l.Contains("full"));
    }

    [Fact]
    public async Task Deliveries_to_one_endpoint_keep_their_order()
    {
        Respond(200);
        var notifier = Notifier();

        for (var i = 1; i <= 5; i++)
        {
            notifier.Enqueue([HookUrl], Payload($"evt_{i}"));
        }

        Assert.True(await WaitUntil(() => notifier.Delivered == 5));
        var ids = _server.LogEntries.OrderBy(e => e.RequestMessage.DateTime)
            .Select(e => JsonDocument.Parse(e.RequestMessage.Body!).RootElement.GetProperty("eventId").GetString());
        Assert.Equal(["evt_1", "evt_2", "evt_3", "evt_4", "evt_5"], ids);
    }

    [Fact]
    public async Task An_idle_endpoint_sender_retires_and_the_next_event_starts_a_new_one()
    {
        Respond(200);
        var notifier = Notifier(new WebhookOptions { IdleTimeout = TimeSpan.FromMinutes(1), AttemptTimeout = TimeSpan.FromMinutes(10) });

        notifier.Enqueue([HookUrl], Payload("evt_before"));
        Assert.True(await WaitUntil(() => notifier.Delivered == 1));
        Assert.Equal(1, notifier.ActiveEndpoints);
        Assert.True(await Drive(() => notifier.ActiveEndpoints == 0, TimeSpan.FromSeconds(10)));

        notifier.Enqueue([HookUrl], Payload("evt_after"));
        Assert.True(await WaitUntil(() => notifier.Delivered == 2));
        Assert.Equal(2, _server.LogEntries.Count());
    }

    [Fact]
    public void Enqueue_refuses_bad_input_without_throwing()
    {
        var notifier = Notifier();

        Assert.False(notifier.Enqueue(["ftp://example.invalid/hook", "not a url"], Payload()));
        Assert.False(notifier.Enqueue([HookUrl], Payload() with { Evidence = default(JsonElement) }));
        Assert.False(notifier.Enqueue(null!, Payload()));
        Assert.True(notifier.Enqueue([], Payload()));

        Assert.Equal(2, notifier.Failed);
        Assert.Empty(_server.LogEntries);
    }

    [Fact]
    public async Task Stopping_the_host_stops_the_senders_and_later_events_are_refused()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Rollgate:Webhooks:MaxAttempts"] = "2" })
            .Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton<TimeProvider>(_time)
            .AddWebhookNotifier();
        await using var provider = services.BuildServiceProvider();
        var notifier = provider.GetRequiredService<WebhookNotifier>();
        var hosted = Assert.Single(provider.GetServices<IHostedService>());
        Assert.Same(notifier, hosted);
        await hosted.StartAsync(CancellationToken.None);
        Respond(200);

        Assert.True(notifier.Enqueue([HookUrl], Payload()));
        Assert.True(await WaitUntil(() => notifier.Delivered == 1));
        // A delivery parked in backoff is dropped, not left running, when the host stops.
        notifier.Enqueue([BlackHoleEndpoint.DeadUrl()], Payload());
        await hosted.StopAsync(CancellationToken.None);

        Assert.False(notifier.Enqueue([HookUrl], Payload()));
        Assert.Single(_server.LogEntries);
        Assert.True(notifier.Dropped >= 1);
    }

    public void Dispose()
    {
        _notifier?.Dispose();
        _http.Dispose();
        _server.Stop();
        _server.Dispose();
    }

    private void Respond(int status) =>
        _server.Given(Request.Create().WithPath(HookPath).UsingPost()).RespondWith(Response.Create().WithStatusCode(status));

    private static WebhookPayload Payload(string eventId = "evt_1", string detail = "error rate 9% over 5m") => new()
    {
        Agent = "support-bot",
        Type = "rollback",
        Rule = "rollback if error_rate > 5% over 5m",
        Action = "rollback",
        From = 14,
        To = 13,
        Generation = 42,
        At = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero),
        Detail = detail,
        Evidence = JsonDocument.Parse("""{"errorRate":0.09}""").RootElement,
        EventId = eventId,
    };

    /// <summary>How often the polling helpers look again (a poll with a deadline, never a fixed wait).</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>Waits in real time without moving fake time: what happens here happened without any backoff.</summary>
    private static async Task<bool> WaitUntil(Func<bool> done)
    {
        var clock = Stopwatch.StartNew();
        while (!done() && clock.Elapsed < RealLimit)
        {
            await Task.Delay(PollInterval);
        }

        return done();
    }

    /// <summary>Advances fake time in steps, yielding briefly between them, until done or the fake budget is spent.</summary>
    private async Task<bool> Drive(Func<bool> done, TimeSpan step, TimeSpan? budget = null)
    {
        var limit = budget ?? TimeSpan.FromMinutes(5);
        var clock = Stopwatch.StartNew();
        var advanced = TimeSpan.Zero;
        while (!done() && advanced < limit && clock.Elapsed < RealLimit)
        {
            _time.Advance(step);
            advanced += step;
            await Task.Delay(PollInterval);
        }

        return done();
    }
}
