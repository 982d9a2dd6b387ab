using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Routing;

/// <summary>
/// Only backend faults count against a version: clients that abort, send what cannot be forwarded or send too much
/// are answered (or not) without touching a version's error rate. Through the real host and real backends.
/// </summary>
public sealed class ClientFaultTests : IAsyncLifetime
{
    private const int BodyLimit = 1024;

    private GatewayInstance _gateway = null!;
    private TestBackend _echo = null!;

    /// <summary>
    /// A client that closes its connection the moment it stops reading (no draining for reuse), and speaks UTF-8 in
    /// header values (HttpClient's default is ASCII only).
    /// </summary>
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayInstance.StartAsync(settings: new Dictionary<string, string>
        {
            ["Rollgate:EvaluationInterval"] = "1s",
            ["Rollgate:MaxRequestBodySize"] = BodyLimit.ToString(CultureInfo.InvariantCulture),
        });
        _echo = await TestBackend.StartAsync("echo");
        _client = new HttpClient(new SocketsHttpHandler
        {
            MaxResponseDrainSize = 0,
            RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
            ResponseHeaderEncodingSelector = (_, _) => Encoding.UTF8,
        })
        {
            BaseAddress = new Uri(_gateway.ProxyUrl),
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _gateway.DisposeAsync();
        await _echo.DisposeAsync();
    }

    [Fact]
    public async Task Aborted_streams_are_canceled_not_errors_and_eight_of_them_do_not_roll_back_the_canary()
    {
        const string rule = "rollback when error_rate > 20% over 30s min 5 requests";
        await using var streaming = await TestBackend.StartAsync("sse", async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\n");
            if (context.Request.Query.ContainsKey("complete"))
            {
                await context.Response.WriteAsync("data: {\"choices\":[],\"usage\":{\"input_tokens\":10,\"output_tokens\":5}}\n\ndata: [DONE]\n\n");
                return;
            }

            // A whole usage event, then half of one, then nothing until the client leaves ("stop generating").
            await context.Response.WriteAsync("data: {\"choices\":[],\"usage\":{\"input_tokens\":1000,\"output_tokens\":1000}}\n\n");
            await context.Response.WriteAsync("data: {\"choices\":[],\"usage\":{\"input_tokens\":");
            await context.Response.Body.FlushAsync();
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("abort-bot", new { rules = new[] { rule } }));
        var stable = await _gateway.CreateVersionAsync("abort-bot", _echo.Url, "stable");
        var canary = await _gateway.CreateVersionAsync("abort-bot", streaming.Url, "streaming canary",
            new { model = new { provider = "openai", name = "gpt-test", pricing = new { inputPerMTok = 1, outputPerMTok = 1 } } });
        await _gateway.DeployAsync("abort-bot", stable);
        await _gateway.DeployAsync("abort-bot", canary, "canary", new { steps = new[] { 100 }, stepDuration = "1h" });

        for (var i = 0; i < 5; i++)
        {
            var body = await _client.GetStringAsync("/agents/abort-bot/stream?complete");
            Assert.Contains("[DONE]", body);
        }

        for (var i = 0; i < 8; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/agents/abort-bot/stream");
            request.Headers.Add(RollgateHeaders.RequestId, $"aborted-{i}");
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.Contains("\"Hi\"", await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        } // disposing the response mid-stream closes the connection

        await Eventually.TrueAsync(async () => Requests(await MetricsAsync(), "abort-bot", canary, "canary", "canceled") == 8, "the aborts are counted");
        await Eventually.TrueAsync(async () =>
        {
            var state = (await _gateway.GetAgentAsync("abort-bot"))["rules"]![0]!;
            return state["state"]!.GetValue<string>() == "ok" && state["subjectRequests"]!.GetValue<long>() == 5;
        }, "the rule has judged the five completed requests", TimeSpan.FromSeconds(15));

        var agent = await _gateway.GetAgentAsync("abort-bot");
        Assert.Equal(canary, agent["canary"]!.GetValue<int>());
        Assert.Equal("canary", agent["status"]!.GetValue<string>());
        var figures = (await _gateway.Admin.GetFromJsonAsync<JsonObject>("/admin/agents/abort-bot/metrics?window=60s"))!["versions"]!.AsArray()
            .Single(v => v!["version"]!.GetValue<int>() == canary)!;
        Assert.Equal(5, figures["requests"]!.GetValue<long>());
        Assert.Equal(0, figures["errors"]!.GetValue<long>());
        Assert.Equal(0, figures["errorRate"]!.GetValue<double>());
        var metrics = await MetricsAsync();
        Assert.Equal(0, Requests(metrics, "abort-bot", canary, "canary", "error"));
        Assert.Equal(5, Requests(metrics, "abort-bot", canary, "canary", "success"));
        // Usage read before an abort is not recorded: the tokens are the completed streams' only.
        Assert.Equal(50, Metric(metrics, $"rollgate_tokens_total{{agent=\"abort-bot\",version=\"{canary}\",kind=\"input\"}}"));
        // The backend served the aborted requests, so their ids are remembered for outcomes reported later.
        var outcome = await _gateway.Admin.PostAsync("/admin/agents/abort-bot/outcomes", GatewayInstance.Json(new { requestId = "aborted-3", outcome = "failed" }));
        Assert.Equal(HttpStatusCode.Accepted, outcome.StatusCode);
        Assert.Equal(canary, (await outcome.Content.ReadFromJsonAsync<JsonObject>())!["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_client_that_gives_up_before_response_headers_is_canceled_and_never_replayed_on_stable()
    {
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var slow = await TestBackend.StartAsync("slow", async context =>
        {
            received.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        });
        await using var stableBackend = await TestBackend.StartAsync("stable");
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("impatient-bot"));
        var stable = await _gateway.CreateVersionAsync("impatient-bot", stableBackend.Url, "stable");
        var canary = await _gateway.CreateVersionAsync("impatient-bot", slow.Url, "slow canary");
        await _gateway.DeployAsync("impatient-bot", stable);
        await _gateway.DeployAsync("impatient-bot", canary, "canary", new { steps = new[] { 100 }, stepDuration = "1h" });

        using var giveUp = new CancellationTokenSource();
        var call = _client.GetAsync("/agents/impatient-bot/ask", giveUp.Token);
        await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        await Eventually.TrueAsync(async () => Requests(await MetricsAsync(), "impatient-bot", canary, "canary", "canceled") == 1, "the client's timeout is counted");
        var metrics = await MetricsAsync();
        Assert.Equal(0, Requests(metrics, "impatient-bot", canary, "canary", "error"));
        Assert.Equal(0, Requests(metrics, "impatient-bot", stable, "stable", "success"));
        Assert.Equal(0, stableBackend.Requests);
    }

    [Fact]
    public async Task Non_ascii_and_control_character_header_values_reach_the_backend_as_sent_and_back()
    {
        await _gateway.ReleaseAsync("utf8-bot", _echo.Url);
        var request = new HttpRequestMessage(HttpMethod.Get, "/agents/utf8-bot/x");
        request.Headers.Add("X-Foo", "é");
        request.Headers.Add("X-Greeting", "héllo wörld ✓ 日本");
        request.Headers.TryAddWithoutValidation("X-Bell", "a\u0001b\u007fc");
        request.Headers.Add(RollgateHeaders.RequestId, "résumé-42");

        var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = await TestBackend.Echo.ReadAsync(response);
        Assert.Equal("é", echo.Headers["X-Foo"]);
        Assert.Equal("héllo wörld ✓ 日本", echo.Headers["X-Greeting"]);
        Assert.Equal("a\u0001b\u007fc", echo.Headers["X-Bell"]);
        Assert.Equal("résumé-42", echo.Headers[RollgateHeaders.RequestId]);
        Assert.Equal("résumé-42", response.Headers.GetValues(RollgateHeaders.RequestId).Single());
        var metrics = await MetricsAsync();
        Assert.Equal(1, Requests(metrics, "utf8-bot", 1, "stable", "success"));
        Assert.Equal(0, Requests(metrics, "utf8-bot", 1, "stable", "error"));
    }

    [Fact]
    public async Task A_request_id_with_a_control_character_cannot_be_echoed_so_it_is_replaced()
    {
        await _gateway.ReleaseAsync("bell-id-bot", _echo.Url);
        var request = new HttpRequestMessage(HttpMethod.Get, "/agents/bell-id-bot/x");
        request.Headers.TryAddWithoutValidation(RollgateHeaders.RequestId, "id\u0007");

        var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = response.Headers.GetValues(RollgateHeaders.RequestId).Single();
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal(id, (await TestBackend.Echo.ReadAsync(response)).Headers[RollgateHeaders.RequestId]);
    }

    [Fact]
    public async Task A_non_ascii_response_header_from_the_backend_reaches_the_client_intact()
    {
        await using var backend = await RawBackend.StartAsync("HTTP/1.1 200 OK\r\nX-Answer: ✓ é\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray());
        await _gateway.ReleaseAsync("utf8-answer-bot", backend.Url);

        var response = await _client.GetAsync("/agents/utf8-answer-bot/x");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("✓ é", response.Headers.GetValues("X-Answer").Single());
        Assert.Equal(1, Requests(await MetricsAsync(), "utf8-answer-bot", 1, "stable", "success"));
    }

    [Fact]
    public async Task A_header_whose_name_cannot_be_forwarded_is_a_400_problem_naming_it_and_not_counted()
    {
        await _gateway.ReleaseAsync("bad-name-bot", _echo.Url);
        var before = _echo.Requests;

        // Kestrel accepts this name; HttpClient refuses it (not an RFC 9110 token), so it could only be dropped.
        var response = await RawRequestAsync("GET /agents/bad-name-bot/x HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: client-400\r\nX-Foo(1): v\r\n\r\n");

        var problem = AssertProblem(response, 400, "unforwardable-header");
        Assert.Equal("client-400", response.Headers[RollgateHeaders.RequestId]);
        Assert.Contains("'X-Foo(1)'", problem["detail"]!.GetValue<string>());
        Assert.Equal(before, _echo.Requests);
        var metrics = await MetricsAsync();
        Assert.Equal(0, Requests(metrics, "bad-name-bot", 1, "stable", "error"));
        Assert.Equal(0, Requests(metrics, "bad-name-bot", 1, "stable", "success"));
        Assert.Equal(0, Requests(metrics, "bad-name-bot", 1, "stable", "canceled"));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_problem_not_counted_and_a_declared_one_never_reaches_the_backend()
    {
        await using var reading = await StartReadingBackendAsync();
        await _gateway.ReleaseAsync("upload-bot", reading.Url);

        // Raw requests: the whole body is sent before the answer is read, however early the gateway answers.
        var declared = await RawRequestAsync("POST /agents/upload-bot/x HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: client-413\r\n"
                                             + $"Content-Length: {BodyLimit + 1}\r\n\r\n{new string('a', BodyLimit + 1)}");
        var backendCalls = reading.Requests;
        var chunked = await RawRequestAsync("POST /agents/upload-bot/x HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"
                                            + $"{4 * BodyLimit:x}\r\n{new string('a', 4 * BodyLimit)}\r\n0\r\n\r\n");
        var fits = await _client.PostAsync("/agents/upload-bot/x", new ByteArrayContent(new byte[BodyLimit]));

        AssertProblem(declared, 413, "request-too-large");
        Assert.Equal("client-413", declared.Headers[RollgateHeaders.RequestId]);
        Assert.Equal(0, backendCalls);
        AssertProblem(chunked, 413, "request-too-large");
        Assert.Matches("^[0-9a-f]{32}$", chunked.Headers[RollgateHeaders.RequestId]);
        Assert.Equal(HttpStatusCode.OK, fits.StatusCode);
        Assert.Equal(BodyLimit.ToString(CultureInfo.InvariantCulture), await fits.Content.ReadAsStringAsync());
        var metrics = await MetricsAsync();
        Assert.Equal(1, Requests(metrics, "upload-bot", 1, "stable", "success"));
        Assert.Equal(0, Requests(metrics, "upload-bot", 1, "stable", "error"));
        Assert.Equal(0, Requests(metrics, "upload-bot", 1, "stable", "canceled"));
    }

    [Fact]
    public async Task A_body_that_cannot_be_read_is_a_400_problem_not_counted()
    {
        await using var reading = await StartReadingBackendAsync();
        await _gateway.ReleaseAsync("garbled-bot", reading.Url);

        var response = await RawRequestAsync("POST /agents/garbled-bot/x HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: client-garbled\r\n"
                                             + "Transfer-Encoding: chunked\r\n\r\nzz\r\nnot a chunk size\r\n0\r\n\r\n");

        AssertProblem(response, 400, "unreadable-request-body");
        Assert.Equal("client-garbled", response.Headers[RollgateHeaders.RequestId]);
        var metrics = await MetricsAsync();
        Assert.Equal(0, Requests(metrics, "garbled-bot", 1, "stable", "success"));
        Assert.Equal(0, Requests(metrics, "garbled-bot", 1, "stable", "error"));
        Assert.Equal(0, Requests(metrics, "garbled-bot", 1, "stable", "canceled"));
    }

    [Fact]
    public async Task The_body_limit_is_the_proxy_listeners_only_the_admin_api_keeps_its_own()
    {
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("long-prompt-bot"));

        var version = await _gateway.CreateVersionAsync("long-prompt-bot", _echo.Url, new string('p', 4 * BodyLimit));

        Assert.Equal(1, version);
    }

    [Fact]
    public async Task Every_data_path_problem_carries_the_clients_request_id_or_a_generated_one()
    {
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("nothing-deployed-bot"));
        await _gateway.ReleaseAsync("refused-bot", $"http://127.0.0.1:{FreePort.Get()}");
        var release = new TaskCompletionSource();
        await using var hanging = await TestBackend.StartAsync("hanging", context => release.Task.WaitAsync(context.RequestAborted));
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("silent-bot"));
        await _gateway.DeployAsync("silent-bot", await _gateway.CreateVersionAsync("silent-bot", hanging.Url,
            extra: new { backend = new { destinations = new[] { hanging.Url }, timeout = "300ms" } }));
        await Eventually.TrueAsync(async () => (await _client.GetAsync("/agents/nothing-deployed-bot/x")).StatusCode == HttpStatusCode.ServiceUnavailable, "the agent is routed");

        (string Path, HttpStatusCode Status, string Type)[] problems =
        [
            ("/agents/no-such-bot/x", HttpStatusCode.NotFound, "unknown-agent"),
            ("/elsewhere", HttpStatusCode.NotFound, "not-found"),
            ("/agents/nothing-deployed-bot/x", HttpStatusCode.ServiceUnavailable, "no-deployed-version"),
            ("/agents/refused-bot/x", HttpStatusCode.BadGateway, "backend-unreachable"),
            ("/agents/silent-bot/x", HttpStatusCode.GatewayTimeout, "backend-timeout"),
        ];
        foreach (var (path, status, type) in problems)
        {
            var withId = new HttpRequestMessage(HttpMethod.Get, path);
            withId.Headers.Add(RollgateHeaders.RequestId, $"client-{type}");
            var answered = await _client.SendAsync(withId);
            var anonymous = await _client.GetAsync(path);

            await AssertProblemAsync(answered, status, type);
            Assert.Equal($"client-{type}", answered.Headers.GetValues(RollgateHeaders.RequestId).Single());
            await AssertProblemAsync(anonymous, status, type);
            Assert.Matches("^[0-9a-f]{32}$", anonymous.Headers.GetValues(RollgateHeaders.RequestId).Single());
        }

        release.TrySetResult();
    }

    [Fact]
    public async Task Backend_faults_still_count_as_errors_5xx_timeout_and_a_stream_the_backend_breaks_or_abandons()
    {
        var reset = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var failing = await TestBackend.StartAsync("failing", context =>
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return Task.CompletedTask;
        });
        await using var breaking = await TestBackend.StartAsync("breaking", async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("data: {\"delta\":\"first\"}\n\n");
            await context.Response.Body.FlushAsync();
            if (context.Request.Query.ContainsKey("reset"))
            {
                await reset.Task.WaitAsync(context.RequestAborted);
                context.Abort(); // the backend resets the stream
                return;
            }

            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default); // then falls silent
        });
        await _gateway.ReleaseAsync("failing-bot", failing.Url);
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("breaking-bot"));
        await _gateway.DeployAsync("breaking-bot", await _gateway.CreateVersionAsync("breaking-bot", breaking.Url,
            // Long enough that the first event always arrives before it, even on a machine the suite keeps busy.
            extra: new { backend = new { destinations = new[] { breaking.Url }, timeout = "2s" } }));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await _client.GetAsync("/agents/failing-bot/x")).StatusCode);
        foreach (var path in new[] { "/agents/breaking-bot/stream?reset", "/agents/breaking-bot/stream" })
        {
            using var response = await _client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.Equal("data: {\"delta\":\"first\"}", await reader.ReadLineAsync());
            reset.TrySetResult();
            // The gateway cuts the client's stream short, so the truncation shows; reading on ends in an I/O error.
            await Assert.ThrowsAnyAsync<IOException>(() => reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        }

        await Eventually.TrueAsync(async () => Requests(await MetricsAsync(), "breaking-bot", 1, "stable", "error") == 2, "both broken streams are errors");
        var metrics = await MetricsAsync();
        Assert.Equal(1, Requests(metrics, "failing-bot", 1, "stable", "error"));
        Assert.Equal(0, Requests(metrics, "breaking-bot", 1, "stable", "canceled"));
        Assert.Equal(0, Requests(metrics, "breaking-bot", 1, "stable", "success"));
    }

    /// <summary>A backend that reads the whole request body, as agents do, and answers with its length.</summary>
    private static Task<TestBackend> StartReadingBackendAsync() => TestBackend.StartAsync("reading", async context =>
    {
        var length = 0;
        var buffer = new byte[4096];
        for (int read; (read = await context.Request.Body.ReadAsync(buffer)) > 0;)
        {
            length += read;
        }

        await context.Response.WriteAsync(length.ToString(CultureInfo.InvariantCulture));
    });

    private Task<string> MetricsAsync() => _gateway.Admin.GetStringAsync("/metrics");

    private static double Requests(string exposition, string agent, int version, string role, string outcome)
        => Metric(exposition, $"rollgate_requests_total{{agent=\"{agent}\",version=\"{version}\",role=\"{role}\",outcome=\"{outcome}\"}}");

    private static double Metric(string exposition, string series)
    {
        var match = Regex.Match(exposition, "^" + Regex.Escape(series) + " (\\S+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"{series} is exported");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string typeSuffix)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        Assert.EndsWith("/" + typeSuffix, problem["type"]!.GetValue<string>());
        Assert.Equal((int)status, problem["status"]!.GetValue<int>());
    }

    private static JsonNode AssertProblem(RawResponse response, int status, string typeSuffix)
    {
        Assert.Equal(status, response.Status);
        Assert.Equal("application/problem+json", response.Headers["Content-Type"]);
        var problem = JsonNode.Parse(response.Body)!;
        Assert.EndsWith("/" + typeSuffix, problem["type"]!.GetValue<string>());
        Assert.Equal(status, problem["status"]!.GetValue<int>());
        return problem;
    }

    /// <summary>Sends <paramref name="request"/> as it is (what HttpClient would refuse or stop sending) and reads the whole answer.</summary>
    private async Task<RawResponse> RawRequestAsync(string request)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, new Uri(_gateway.ProxyUrl).Port);
        var stream = client.GetStream();
        var endOfHead = request.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.Insert(endOfHead, "\r\nConnection: close")));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10));
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var lines = text[..split].Split("\r\n");
        var headers = lines.Skip(1).Select(l => l.Split(": ", 2)).ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        var body = text[(split + 4)..];
        if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding == "chunked")
        {
            body = body[(body.IndexOf("\r\n", StringComparison.Ordinal) + 2)..body.LastIndexOf("\r\n0\r\n", StringComparison.Ordinal)];
        }

        return new RawResponse(int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture), headers, body);
    }

    private sealed record RawResponse(int Status, Dictionary<string, string> Headers, string Body);

    /// <summary>A backend that answers every connection with the same bytes, whatever Kestrel would refuse to write.</summary>
    private sealed class RawBackend : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly Task _accepting;

        private RawBackend(TcpListener listener, byte[] response)
        {
            _listener = listener;
            _accepting = AcceptAsync(response);
        }

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

        public static Task<RawBackend> StartAsync(byte[] response)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return Task.FromResult(new RawBackend(listener, response));
        }

        private async Task AcceptAsync(byte[] response)
        {
            try
            {
                while (true)
                {
                    using var connection = await _listener.AcceptTcpClientAsync();
                    var stream = connection.GetStream();
                    var request = new StringBuilder();
                    var buffer = new byte[4096];
                    while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var read = await stream.ReadAsync(buffer);
                        if (read == 0)
                        {
                            break;
                        }

                        request.Append(Encoding.Latin1.GetString(buffer, 0, read));
                    }

                    await stream.WriteAsync(response);
                }
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException or IOException)
            {
                // stopped
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _accepting;
        }
    }

    /// <summary>A body whose length HttpClient cannot know, so it is sent chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
