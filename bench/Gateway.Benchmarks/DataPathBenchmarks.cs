using Rollgate.Tools;
using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Rollgate.Managed;
using Rollgate.Routing;
using Rollgate.Signals;
using Yarp.ReverseProxy;

namespace Rollgate.Benchmarks;

/// <summary>
/// The whole agent middleware per request, no sockets: the real <see cref="AgentProxyMiddleware.InvokeAsync"/> with
/// its signal step ("signals on") against the same middleware with a <see cref="NullRequestRecorder"/> and no usage
/// capture ("signals off"). Each operation is one request on a fresh HttpContext (as Kestrel hands one per request);
/// <see cref="NewContext"/> shows that fixed cost alone. <see cref="AsyncBackend"/>: the forwarder completes later on
/// another thread, as a real forward does, so the middleware's async state machine is boxed.
/// </summary>
[MemoryDiagnoser]
public class MiddlewareBenchmarks
{
    private ProxyFixture _fixture = null!;
    private AgentProxyMiddleware _signalsOn = null!;
    private AgentProxyMiddleware _signalsOff = null!;
    private int _requests;

    [Params(false, true)]
    public bool AsyncBackend { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _fixture = new ProxyFixture();
        _signalsOn = Middleware(ProxyFixture.Forwarder(AsyncBackend, captureUsage: true), new RequestRecorder(_fixture.Ledger));
        _signalsOff = Middleware(ProxyFixture.Forwarder(AsyncBackend, captureUsage: false), NullRequestRecorder.Instance);
    }

    [Benchmark(Description = "new HttpContext only")]
    public HttpContext NewContext() => _fixture.NewContext();

    [Benchmark(Baseline = true, Description = "middleware, signals off")]
    public Task SignalsOff() => _signalsOff.InvokeAsync(_fixture.NewContext());

    [Benchmark(Description = "middleware, signals on")]
    public async Task SignalsOn()
    {
        await _signalsOn.InvokeAsync(_fixture.NewContext());
        DrainLedger(_fixture.Ledger, ref _requests);
    }

    private AgentProxyMiddleware Middleware(RequestDelegate forwarder, IRequestRecorder recorder)
        => new(forwarder, _fixture.Routing, _fixture.ProxyState, _fixture.Chooser, recorder, new ProxyLimits(30_000_000), Managed(recorder),
            judges: null, NullLogger<AgentProxyMiddleware>.Instance);

    /// <summary>The managed-agent step, which the passthrough agents measured here never reach.</summary>
    private static ManagedChat Managed(IRequestRecorder recorder)
        => new(new ModelClient(), new ModelCircuits(new ModelCircuitOptions(), TimeProvider.System, NullLogger<ModelCircuits>.Instance),
            new ToolCircuits(TimeProvider.System, NullLogger<ToolCircuits>.Instance), recorder, TimeSpan.FromMinutes(5), TimeProvider.System, NullLogger<ManagedChat>.Instance);

    /// <summary>
    /// The gateway moves remembered request ids from the hot-path buffer into the ledger once a second (FigureFlusherService);
    /// here every 4,096 requests, into a ledger of 4,096 ids, so it runs at steady state (the index is full and evicts).
    /// </summary>
    internal static void DrainLedger(InMemoryRequestLedger ledger, ref int requests)
    {
        if ((++requests & 4095) == 0)
        {
            ledger.FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
        }
    }
}

/// <summary>
/// The same work split into its parts, synchronously, on one reused HttpContext: the routing decision alone, and
/// routing plus the signal path of one JSON response (capture stream, usage parse, cost, counters, histogram,
/// per-second figures, request ledger), each through the data path's own step.
/// </summary>
[MemoryDiagnoser]
public class ComponentBenchmarks
{
    private const string RequestId = "5f0c6b8e2a9d4e7f8a1b2c3d4e5f6a7b";
    private ProxyFixture _fixture = null!;
    private RequestRecorder _recorder = null!;
    private DefaultHttpContext _context = null!;
    private int _requests;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = new ProxyFixture();
        _recorder = new RequestRecorder(_fixture.Ledger);
        _context = _fixture.NewContext();
        _context.Response.ContentType = "application/json";
    }

    /// <summary><see cref="VersionChooser.Choose"/>: the sticky key, its bucket and the canary threshold.</summary>
    [Benchmark(Description = "version choice")]
    public VersionTarget Choice()
    {
        _context.Request.Headers[RollgateHeaders.SessionId] = _fixture.NextSession();
        return _fixture.Chooser.Choose(_fixture.Route, _context.Request)!;
    }

    /// <summary>Choice, YARP reassignment, the four version headers and the request feature: routing without signals.</summary>
    [Benchmark(Baseline = true, Description = "routing (signals off)")]
    public VersionTarget Routing()
    {
        _context.Request.Headers[RollgateHeaders.SessionId] = _fixture.NextSession();
        return Route(_fixture.Route, _context);
    }

    [Benchmark(Description = "routing + signal path (signals on)")]
    public VersionTarget RoutingAndSignals()
    {
        _context.Request.Headers[RollgateHeaders.SessionId] = _fixture.NextSession();
        var target = Route(_fixture.Route, _context);
        Signals(target, _context);
        DrainLedger();
        return target;
    }

    [Benchmark(Description = "signal path only")]
    public VersionTarget SignalPath()
    {
        var target = _fixture.Route.Canary!;
        Signals(target, _context);
        DrainLedger();
        return target;
    }

    private void DrainLedger() => MiddlewareBenchmarks.DrainLedger(_fixture.Ledger, ref _requests);

    private VersionTarget Route(AgentRoute agent, HttpContext context)
    {
        var target = _fixture.Chooser.Choose(agent, context.Request)!;
        _fixture.ProxyState.TryGetRoute(target.RouteId, out var route);
        _fixture.ProxyState.TryGetCluster(target.ClusterId, out var cluster);
        context.ReassignProxyRequest(route!, cluster!);
        var headers = context.Request.Headers;
        headers[RollgateHeaders.Agent] = target.Agent;
        headers[RollgateHeaders.Version] = target.NumberText;
        headers[RollgateHeaders.VersionHash] = target.Hash;
        headers[RollgateHeaders.Role] = target.RoleText;
        return target;
    }

    /// <summary>What the data path adds around the forward for one successful JSON response: capture, then the signal step.</summary>
    private void Signals(VersionTarget target, HttpContext context)
    {
        var response = context.Response;
        response.ContentType = "application/json"; // set by the backend's headers before the response transform runs
        var body = response.Body;
        var capture = UsageCaptureStream.For(response)!;
        response.Body = capture;
        var started = Stopwatch.GetTimestamp();
        var write = capture.WriteAsync(ProxyFixture.ResponseBody);
        if (!write.IsCompletedSuccessfully)
        {
            write.AsTask().GetAwaiter().GetResult();
        }

        _recorder.Forwarded(target, context, error: null, Stopwatch.GetElapsedTime(started), RequestId);
        response.Body = body;
        capture.Dispose();
    }
}

/// <summary>Where the signal path's time goes: each of its parts alone (one reused HttpContext, one canary target).</summary>
[MemoryDiagnoser]
public class SignalPartsBenchmarks
{
    private const string RequestId = "5f0c6b8e2a9d4e7f8a1b2c3d4e5f6a7b";
    private ProxyFixture _fixture = null!;
    private DefaultHttpContext _context = null!;
    private VersionTarget _target = null!;
    private int _requests;

    [GlobalSetup]
    public void Setup()
    {
        _fixture = new ProxyFixture();
        _context = _fixture.NewContext();
        _context.Response.ContentType = "application/json";
        _target = _fixture.Route.Canary!;
    }

    [Benchmark(Description = "UsageCaptureStream: swap, write, Complete, restore")]
    public long Capture()
    {
        var response = _context.Response;
        var body = response.Body;
        var capture = UsageCaptureStream.For(response)!;
        response.Body = capture;
        var write = capture.WriteAsync(ProxyFixture.ResponseBody);
        if (!write.IsCompletedSuccessfully)
        {
            write.AsTask().GetAwaiter().GetResult();
        }

        capture.Complete();
        response.Body = body;
        capture.Dispose();
        return capture.InputTokens;
    }

    [Benchmark(Description = "UsageReader.TryRead alone")]
    public long Parse()
    {
        UsageReader.TryRead(ProxyFixture.ResponseBody, out var input, out var output);
        return input + output;
    }

    [Benchmark(Description = "UsageReader.TryRead alone, 2 KB completion")]
    public long ParseLong()
    {
        UsageReader.TryRead(ProxyFixture.LongResponseBody, out var input, out var output);
        return input + output;
    }

    [Benchmark(Description = "Prometheus: 2 counters, histogram, cost, 2 token counters")]
    public void Prometheus()
    {
        _target.Success.Inc();
        _target.Duration.Observe(0.0123);
        _target.Cost.Inc(0.00140);
        _target.InputTokens.Inc(412);
        _target.OutputTokens.Inc(37);
    }

    [Benchmark(Description = "VersionSignals.Record")]
    public void Figures() => _target.Signals.Record(new RequestSignal(false, 12.3, 0.00140, 412, 37, TaskOutcome.None));

    [Benchmark(Description = "IRequestLedger.Remember (+ drain every 4,096)")]
    public void Ledger()
    {
        _fixture.Ledger.Remember(_target.Agent, RequestId, _target.Number);
        MiddlewareBenchmarks.DrainLedger(_fixture.Ledger, ref _requests);
    }
}
