using System.Collections.Concurrent;
using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Timeout;

namespace Rollgate.Managed;

/// <summary>
/// One Polly pipeline per model endpoint (its URL and model name), shared by every version and agent that calls it:
/// a circuit breaker around a timeout. A failure is a 5xx answer, a transport error or the timeout; when enough calls
/// fail the circuit opens and calls are refused at once (<see cref="BrokenCircuitException"/>), so a dead model costs
/// each request nothing and its fallback answers. The timeout is the calling version's, passed with each call.
/// Both run on the given <see cref="TimeProvider"/>.
/// </summary>
public sealed partial class ModelCircuits(ModelCircuitOptions options, TimeProvider time, ILogger<ModelCircuits> logger)
{
    /// <summary>How long the call may wait for the model's response headers.</summary>
    public static readonly ResiliencePropertyKey<TimeSpan> Timeout = new("rollgate.model.timeout");

    private readonly ResiliencePipelineRegistry<string> _registry = new();
    private readonly ConcurrentDictionary<string, BreakWindow> _breaks = new();

    /// <summary>
    /// Whether the endpoint's circuit is open and its break not over: a call now would be refused. Lock-free, for
    /// callers that would prepare a call first (the judge), so that a dead endpoint costs them nothing.
    /// </summary>
    public bool IsRefusing(string endpointKey) => _breaks.TryGetValue(endpointKey, out var window) && window.Covers(time.GetUtcNow());

    /// <summary>The pipeline of one endpoint; callers keep it (the same instance for the life of the process).</summary>
    public ResiliencePipeline<HttpResponseMessage> For(string endpointKey)
        => _registry.GetOrAddPipeline<HttpResponseMessage>(endpointKey, builder =>
        {
            var window = _breaks.GetOrAdd(endpointKey, static _ => new BreakWindow());
            builder.TimeProvider = time;
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
                {
                    FailureRatio = options.FailureRatio,
                    MinimumThroughput = options.MinimumThroughput,
                    SamplingDuration = options.SamplingDuration,
                    BreakDuration = options.BreakDuration,
                    ShouldHandle = static args => ValueTask.FromResult(IsFailure(args.Outcome, args.Context.CancellationToken)),
                    OnOpened = args =>
                    {
                        window.Open(time.GetUtcNow() + args.BreakDuration);
                        LogOpened(logger, endpointKey, args.BreakDuration);
                        return default;
                    },
                    OnClosed = _ =>
                    {
                        window.Close();
                        LogClosed(logger, endpointKey);
                        return default;
                    },
                })
                .AddTimeout(new TimeoutStrategyOptions
                {
                    TimeoutGenerator = static args => ValueTask.FromResult(args.Context.Properties.GetValue(Timeout, System.Threading.Timeout.InfiniteTimeSpan)),
                });
        });

    [LoggerMessage(1211, LogLevel.Warning, "Model endpoint {Endpoint} keeps failing: its circuit is open for {BreakDuration}, its fallbacks answer")]
    private static partial void LogOpened(ILogger logger, string endpoint, TimeSpan breakDuration);

    [LoggerMessage(1212, LogLevel.Information, "Model endpoint {Endpoint} answers again: its circuit is closed")]
    private static partial void LogClosed(ILogger logger, string endpoint);

    /// <summary>Until when an endpoint's open circuit refuses calls; after that the next call is its half-open trial.</summary>
    private sealed class BreakWindow
    {
        private long _until = DateTimeOffset.MinValue.UtcTicks;

        public bool Covers(DateTimeOffset now) => now.UtcTicks < Volatile.Read(ref _until);

        public void Open(DateTimeOffset until) => Volatile.Write(ref _until, until.UtcTicks);

        public void Close() => Volatile.Write(ref _until, DateTimeOffset.MinValue.UtcTicks);
    }

    /// <summary>What counts against an endpoint: not a call the client gave up on.</summary>
    public static bool IsFailure(in Outcome<HttpResponseMessage> outcome, CancellationToken callerToken) => outcome switch
    {
        { Result: { } response } => response.StatusCode >= HttpStatusCode.InternalServerError,
        { Exception: TimeoutRejectedException or HttpRequestException } => true,
        { Exception: OperationCanceledException } => !callerToken.IsCancellationRequested,
        _ => false,
    };
}
