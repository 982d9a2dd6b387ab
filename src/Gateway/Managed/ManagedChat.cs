using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Rollgate.Quality;
using Rollgate.Routing;
using Rollgate.Signals;
using Rollgate.Tools;
using Rollgate.Versions;

namespace Rollgate.Managed;

/// <summary>
/// Answers the requests of managed (<c>openai</c>) agents: the gateway applies the chosen version to the client's chat
/// request (<see cref="ChatRequest"/>) and calls the version's model, then its fallbacks in order while a model fails
/// (5xx, unreachable, timed out, or its circuit open: <see cref="ModelCircuits"/>), and relays the answer as it arrives.
/// Nothing is retried once a byte of an answer has gone to the client. Every request is measured like a forwarded one,
/// with its cost priced by the model that answered; a request a guardrail blocks is not a version error.
/// </summary>
public sealed partial class ManagedChat
{
    /// <summary>A non-streamed answer checked by output guardrails is read whole first; a larger one is blocked unread.</summary>
    public const int MaxCheckedAnswerBytes = 16 * 1024 * 1024;

    private const int RelayBufferBytes = 16 * 1024;
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly JsonSerializerOptions ModelJson = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly ModelClient _client;
    private readonly ModelCircuits _circuits;
    private readonly ToolCircuits _tools;
    private readonly IRequestRecorder _recorder;
    private readonly TimeSpan _defaultTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly JudgeQueue? _judges;

    /// <param name="judges">Where sampled answers go for judging; null: answers are never judged.</param>
    internal ManagedChat(ModelClient client, ModelCircuits circuits, ToolCircuits tools, IRequestRecorder recorder, TimeSpan defaultTimeout, TimeProvider time,
        ILogger<ManagedChat> logger, JudgeQueue? judges = null)
    {
        _judges = judges;
        _client = client;
        _circuits = circuits;
        _tools = tools;
        _recorder = recorder;
        _defaultTimeout = defaultTimeout;
        _time = time;
        _logger = logger;
    }

    /// <summary>Answers one request for <paramref name="target"/>, a version of the managed agent <paramref name="agent"/>.</summary>
    public async Task InvokeAsync(HttpContext context, AgentRoute agent, VersionTarget target, string requestId)
    {
        var response = context.Response;
        response.Headers[RollgateHeaders.Version] = target.NumberText;
        response.Headers[RollgateHeaders.RequestId] = requestId;
        var managed = target.Managed!.Version(_defaultTimeout);
        if (managed.Models.Count == 0)
        {
            _recorder.ModelFailed(target, TimeSpan.Zero, requestId);
            await ManagedProblems.NoModelAsync(context, target, requestId);
            return;
        }

        var path = context.Request.RouteValues[RestOfPathTransform.Parameter] as string;
        var method = context.Request.Method;
        if (path is "v1/models" || path?.StartsWith("v1/models/", StringComparison.Ordinal) == true)
        {
            await (HttpMethods.IsGet(method) ? ModelsAsync(context, agent, managed, path, requestId) : ManagedProblems.MethodNotAllowedAsync(context, "GET", requestId));
            return;
        }

        if (path is not "v1/chat/completions")
        {
            await ManagedProblems.UnknownPathAsync(context, agent, requestId);
            return;
        }

        if (!HttpMethods.IsPost(method))
        {
            await ManagedProblems.MethodNotAllowedAsync(context, "POST", requestId);
            return;
        }

        using var body = new PooledBufferWriter((int)Math.Clamp(context.Request.ContentLength ?? 0, 4096, 1024 * 1024) + 1);
        if (!await ReadBodyAsync(context, body, requestId))
        {
            return;
        }

        using var chat = ChatRequest.Parse(body.Written, out var problem);
        if (chat is null)
        {
            await ManagedProblems.InvalidChatRequestAsync(context, problem!, requestId);
            return;
        }

        if (chat.BlockedBy(managed.Guardrails) is { } rule)
        {
            target.Managed.InputBlocks.Inc();
            await ManagedProblems.GuardrailBlockedAsync(context, rule, answer: false, requestId);
            return;
        }

        // The parsed request reads the client's bytes in place: what each model is sent is written elsewhere.
        using var sent = new PooledBufferWriter(body.Length + 4096);
        // Decided before the call, so an unsampled request pays one random draw and nothing else.
        var judged = _judges is not null && agent.Quality is { } quality && target.Role != VersionRole.Preview && quality.Sample()
                     && _judges.Admits(quality, target.NumberText)
            ? new Judged(agent.Quality, body.Written)
            : null;
        await CallAsync(context, target, managed, chat, sent, judged, requestId);
    }

    /// <summary>
    /// Capability reduction: the version's tools whose circuit is open on this replica are not offered to the model, so
    /// the agent cannot call a tool that would fail. Null (and no allocation) when every tool is available.
    /// </summary>
    private bool[]? Withheld(ManagedHandle handle, ManagedVersion managed)
    {
        bool[]? withheld = null;
        for (var i = 0; i < managed.ToolNames.Count; i++)
        {
            if (_tools.IsOpen(managed.ToolNames[i]))
            {
                withheld ??= new bool[managed.ToolNames.Count];
                withheld[i] = true;
                handle.Withheld(managed, i).Inc();
            }
        }

        return withheld;
    }

    private async Task CallAsync(HttpContext context, VersionTarget target, ManagedVersion managed, ChatRequest chat, PooledBufferWriter body, Judged? judged, string requestId)
    {
        var handle = target.Managed!;
        var started = Stopwatch.GetTimestamp();
        var withheld = Withheld(handle, managed);
        StringBuilder? failures = null;
        for (var i = 0; i < managed.Models.Count; i++)
        {
            var model = managed.Models[i];
            if (!model.TryGetAuthorization(out var authorization))
            {
                LogKeyMissing(_logger, target.Agent, target.Number, model.Name, model.ApiKeyEnv!);
                _recorder.ModelFailed(target, Stopwatch.GetElapsedTime(started), requestId);
                await ManagedProblems.KeyMissingAsync(context, target, model, requestId);
                return;
            }

            body.Clear();
            chat.Write(body, managed, model, withheld);
            using var request = new HttpRequestMessage(HttpMethod.Post, model.ChatUri) { Content = new ReadOnlyMemoryContent(body.Written) };
            request.Content.Headers.ContentType = Json;
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            var outcome = await SendAsync(model, managed.Timeout, request, context.RequestAborted);
            if (context.RequestAborted.IsCancellationRequested)
            {
                outcome.Result?.Dispose();
                _recorder.Canceled(target, requestId);
                return;
            }

            if (outcome.Result is { } answer && (int)answer.StatusCode < 500)
            {
                handle.ModelRequests(managed, i, ModelOutcome.Success).Inc();
                using (answer)
                {
                    await RelayAsync(context, target, managed, chat, i, answer, started, judged, requestId);
                }

                return;
            }

            var circuitOpen = outcome.Exception is BrokenCircuitException;
            handle.ModelRequests(managed, i, circuitOpen ? ModelOutcome.CircuitOpen : ModelOutcome.Error).Inc();
            (failures ??= new StringBuilder()).Append(failures.Length > 0 ? ", " : "").Append(model.Name).Append(" (").Append(Describe(outcome)).Append(')');
            outcome.Result?.Dispose();
            if (i + 1 < managed.Models.Count)
            {
                handle.Fallback(managed, i).Inc();
            }
        }

        _recorder.ModelFailed(target, Stopwatch.GetElapsedTime(started), requestId);
        await ManagedProblems.UnavailableAsync(context, target, failures!.ToString(), requestId);
    }

    /// <summary>One call through the model's circuit and timeout; never throws (the outcome holds the failure).</summary>
    private async ValueTask<Outcome<HttpResponseMessage>> SendAsync(ManagedModel model, TimeSpan timeout, HttpRequestMessage request, CancellationToken aborted)
    {
        var resilience = ResilienceContextPool.Shared.Get(aborted);
        resilience.Properties.Set(ModelCircuits.Timeout, timeout);
        try
        {
            return await model.Pipeline(_circuits).ExecuteOutcomeAsync(static async (context, state) =>
            {
                try
                {
                    return Outcome.FromResult(await state.Invoker.SendAsync(state.Request, context.CancellationToken));
                }
                catch (Exception ex)
                {
                    return Outcome.FromException<HttpResponseMessage>(ex);
                }
            }, resilience, (Invoker: _client.Invoker, Request: request));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(resilience);
        }
    }

    /// <summary>
    /// Relays the answer of model <paramref name="index"/> and records the request. A model that stays silent past the
    /// timeout or breaks off mid-answer fails the request: with a problem while nothing was sent, else by aborting it.
    /// </summary>
    private async Task RelayAsync(HttpContext context, VersionTarget target, ManagedVersion managed, ChatRequest chat, int index,
        HttpResponseMessage answer, long started, Judged? judged, string requestId)
    {
        var model = managed.Models[index];
        var response = context.Response;
        response.StatusCode = (int)answer.StatusCode;
        response.Headers[RollgateHeaders.Model] = model.Name;
        if (answer.Headers.RetryAfter is { } retryAfter)
        {
            response.Headers.RetryAfter = retryAfter.ToString();
        }

        var contentType = answer.Content.Headers.ContentType?.ToString();
        response.ContentType = contentType;
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        await using var aborted = context.RequestAborted.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), idle);
        var streamed = contentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true;
        // Only a successful answer is judged; a kept copy is handed to the judge queue after the client has it.
        using var kept = judged is not null && response.StatusCode is >= 200 and < 300 ? new BodyCopy() : null;
        Usage usage;
        try
        {
            await using var upstream = await answer.Content.ReadAsStreamAsync(idle.Token);
            if (streamed)
            {
                usage = await RelayEventsAsync(upstream, response, chat.AddsUsage, managed.Timeout, idle, kept);
            }
            else if (managed.Guardrails.OutputDeny.Count > 0 && response.StatusCode is >= 200 and < 300)
            {
                var (checkedUsage, rule) = await RelayCheckedAsync(upstream, response, managed.Guardrails, managed.Timeout, idle, kept);
                usage = checkedUsage;
                if (rule is not null)
                {
                    // The model did answer (and cost): measured as answered, then refused to the client.
                    target.Managed!.OutputBlocks.Inc();
                    _recorder.ModelAnswered(target, usage.Answer(StatusCodes.Status422UnprocessableEntity, model, index), Stopwatch.GetElapsedTime(started), requestId);
                    response.StatusCode = StatusCodes.Status200OK;
                    response.Headers.RetryAfter = default;
                    await ManagedProblems.GuardrailBlockedAsync(context, rule, answer: true, requestId);
                    return;
                }
            }
            else
            {
                response.ContentLength = answer.Content.Headers.ContentLength;
                usage = await RelayBodyAsync(upstream, response, managed.Timeout, idle, kept);
            }
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            _recorder.Canceled(target, requestId);
            return;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
        {
            // The model went silent or broke off: the version failed this request.
            _recorder.ModelFailed(target, Stopwatch.GetElapsedTime(started), requestId);
            if (response.HasStarted)
            {
                context.Abort();
            }
            else
            {
                response.Headers.Remove(RollgateHeaders.Model);
                response.ContentLength = null;
                response.StatusCode = StatusCodes.Status200OK;
                var what = ex is OperationCanceledException ? "went silent past the timeout" : "broke off";
                await ManagedProblems.UnavailableAsync(context, target, $"{model.Name} ({what} while answering)", requestId);
            }

            return;
        }

        _recorder.ModelAnswered(target, usage.Answer(response.StatusCode, model, index), Stopwatch.GetElapsedTime(started), requestId);
        if (kept is not null)
        {
            _judges!.Offer(judged!.Plan, target, judged.Request.Span, kept, streamed);
        }
    }

    /// <summary>An event stream, event by event as it arrives, without the usage event the client did not ask for.</summary>
    private static async Task<Usage> RelayEventsAsync(Stream upstream, HttpResponse response, bool dropUsageEvent, TimeSpan timeout, CancellationTokenSource idle,
        BodyCopy? kept)
    {
        using var filter = new SseUsageFilter(dropUsageEvent);
        using var output = new PooledBufferWriter(RelayBufferBytes);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(RelayBufferBytes);
        try
        {
            await response.StartAsync(idle.Token);
            while (true)
            {
                idle.CancelAfter(timeout);
                var read = await upstream.ReadAsync(buffer, idle.Token);
                kept?.Append(buffer.AsSpan(0, read));
                if (read == 0)
                {
                    filter.Complete(output);
                }
                else
                {
                    filter.Process(buffer.AsSpan(0, read), output);
                }

                if (output.Length > 0)
                {
                    await response.Body.WriteAsync(output.Written, idle.Token);
                    await response.Body.FlushAsync(idle.Token);
                    output.Clear();
                }

                if (read == 0)
                {
                    return new Usage(filter.HasUsage, filter.InputTokens, filter.OutputTokens);
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A body relayed chunk by chunk as it arrives, its usage read on the way (<see cref="UsageCaptureStream"/>).</summary>
    private static async Task<Usage> RelayBodyAsync(Stream upstream, HttpResponse response, TimeSpan timeout, CancellationTokenSource idle, BodyCopy? kept)
    {
        var capture = UsageCaptureStream.For(response);
        var destination = (Stream?)capture ?? response.Body;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(RelayBufferBytes);
        try
        {
            while (true)
            {
                idle.CancelAfter(timeout);
                var read = await upstream.ReadAsync(buffer, idle.Token);
                if (read == 0)
                {
                    capture?.Complete();
                    return capture is { HasUsage: true } ? new Usage(true, capture.InputTokens, capture.OutputTokens) : default;
                }

                kept?.Append(buffer.AsSpan(0, read));
                await destination.WriteAsync(buffer.AsMemory(0, read), idle.Token);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            if (capture is not null)
            {
                await capture.DisposeAsync();
            }
        }
    }

    /// <summary>A non-streamed answer read whole and checked against the output guardrails; sent only when none blocks it.</summary>
    private static async Task<(Usage Usage, string? Rule)> RelayCheckedAsync(Stream upstream, HttpResponse response, GuardrailRules rules, TimeSpan timeout,
        CancellationTokenSource idle, BodyCopy? kept)
    {
        using var answer = new PooledBufferWriter(RelayBufferBytes);
        while (true)
        {
            idle.CancelAfter(timeout);
            var read = await upstream.ReadAsync(answer.GetMemory(RelayBufferBytes), idle.Token);
            if (read == 0)
            {
                break;
            }

            answer.Advance(read);
            if (answer.Length > MaxCheckedAnswerBytes)
            {
                return (default, GuardrailRules.OutputDenyPath);
            }
        }

        var bytes = answer.Written;
        var usage = UsageReader.TryRead(bytes.Span, out var input, out var output) ? new Usage(true, input, output) : default;
        if (OutputBlockedBy(bytes.Span, rules) is { } rule)
        {
            return (usage, rule);
        }

        kept?.Append(bytes.Span);
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, idle.Token);
        return (usage, null);
    }

    /// <summary>The deny rule the answer's message contents match (the whole text when it is not a chat completion).</summary>
    private static string? OutputBlockedBy(ReadOnlySpan<byte> answer, GuardrailRules rules)
    {
        List<string> texts = [];
        try
        {
            var reader = new Utf8JsonReader(answer);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("choices"u8, out var choices) && choices.ValueKind == JsonValueKind.Array)
            {
                foreach (var choice in choices.EnumerateArray())
                {
                    if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("message"u8, out var message) && message.ValueKind == JsonValueKind.Object
                        && message.TryGetProperty("content"u8, out var content) && content.ValueKind == JsonValueKind.String)
                    {
                        texts.Add(content.GetString()!);
                    }
                }
            }
            else
            {
                texts.Add(Encoding.UTF8.GetString(answer));
            }
        }
        catch (JsonException)
        {
            texts.Add(Encoding.UTF8.GetString(answer));
        }

        foreach (var text in texts)
        {
            foreach (var rule in rules.OutputDeny)
            {
                if (rule.Blocks(text))
                {
                    return rule.Name;
                }
            }
        }

        return null;
    }

    /// <summary><c>GET …/v1/models</c> lists the version's model (what SDKs check); <c>GET …/v1/models/{id}</c> describes it.</summary>
    private static Task ModelsAsync(HttpContext context, AgentRoute agent, ManagedVersion managed, string path, string requestId)
    {
        var name = managed.Models[0].Name;
        var entry = new ModelEntry(name, "model", 0, "rollgate");
        if (path == "v1/models")
        {
            return context.Response.WriteAsJsonAsync(new ModelList("list", [entry]), ModelJson);
        }

        return path["v1/models/".Length..] == name
            ? context.Response.WriteAsJsonAsync(entry, ModelJson)
            : ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status404NotFound, "unknown-model", "Unknown model",
                $"Agent '{agent.Name}' answers with model '{name}' only.");
    }

    /// <summary>Reads the whole request body; false when it was answered instead (too large, unreadable) or the client left.</summary>
    private static async Task<bool> ReadBodyAsync(HttpContext context, PooledBufferWriter body, string requestId)
    {
        try
        {
            while (true)
            {
                var read = await context.Request.Body.ReadAsync(body.GetMemory(4096), context.RequestAborted);
                if (read == 0)
                {
                    return true;
                }

                body.Advance(read);
            }
        }
        catch (BadHttpRequestException ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            context.Response.StatusCode = ex.StatusCode;
            await ProxyProblems.RequestBodyAsync(context, context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize ?? 0, requestId);
            return false;
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            return false;
        }
    }

    private static string Describe(in Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Result: { } response } => ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
        { Exception: BrokenCircuitException } => "circuit open",
        { Exception: TimeoutRejectedException } => "timed out",
        _ => "unreachable",
    };

    [LoggerMessage(1210, LogLevel.Warning, "Agent {Agent} version {Version} calls model {Model} with the key in {ApiKeyEnv}, which is not set")]
    private static partial void LogKeyMissing(ILogger logger, string agent, int version, string model, string apiKeyEnv);

    private sealed record ModelList(string Object, IReadOnlyList<ModelEntry> Data);

    private sealed record ModelEntry(string Id, string Object, long Created, string OwnedBy);

    /// <summary>A request sampled for judging: its agent's judge and the client's request body (read in place until the answer is kept).</summary>
    private sealed record Judged(QualityPlan Plan, ReadOnlyMemory<byte> Request);

    /// <summary>Token usage read from an answer.</summary>
    private readonly record struct Usage(bool HasUsage, long InputTokens, long OutputTokens)
    {
        public ModelAnswer Answer(int status, ManagedModel model, int index) => new(status, model.Pricing, HasUsage, InputTokens, OutputTokens, index > 0);
    }
}
