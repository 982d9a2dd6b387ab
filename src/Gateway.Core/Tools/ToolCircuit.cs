using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Polly;
using Prometheus;
using Rollgate.Observability;

namespace Rollgate.Tools;

/// <summary>
/// One tool on this replica: its current definition, its resilience pipeline (timeout inside a circuit breaker, kept by
/// <see cref="ToolCircuits"/>' Polly registry), the state of its breaker with the evidence of the last change, and the
/// metric children its calls count in. The hot path reads <see cref="Pipeline"/> and the counters; state changes are
/// rare and go through one small lock.
/// </summary>
public sealed partial class ToolCircuit
{
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<ToolCircuit> _onChange;
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<(string Agent, int Version), ToolCallCounters> _byVersion = new();
    private volatile ToolDefinition _definition;
    private CancellationTokenSource _reload = new();
    private int _build;
    // Written under the gate; read without it by the hot path (State, IsOpen).
    private volatile CircuitState _state = CircuitState.Closed;
    private DateTimeOffset _since;
    private DateTimeOffset? _outageSince;
    private long _calls;
    private long _failures;
    private CallWindow _window;

    internal ToolCircuit(string name, ToolDefinition definition, TimeProvider time, ILogger logger, Action<ToolCircuit> onChange)
    {
        Name = name;
        _definition = definition;
        _time = time;
        _logger = logger;
        _onChange = onChange;
        _since = time.GetUtcNow();
        _window = new CallWindow(time, definition.Breaker.SamplingDuration);
        RollgateMetrics.ToolCircuitState.WithLabels(name).Set(0);
        Unattributed = new ToolCallCounters(name, "", "");
        Duration = RollgateMetrics.ToolRequestDuration.WithLabels(name);
    }

    public string Name { get; }

    public ToolDefinition Definition => _definition;

    /// <summary>The tool's pipeline; the registry swaps what is inside it when the breaker's options change.</summary>
    public ResiliencePipeline<ToolCallResult> Pipeline { get; internal set; } = ResiliencePipeline<ToolCallResult>.Empty;

    /// <summary>Counters of calls no agent version is known for.</summary>
    public ToolCallCounters Unattributed { get; }

    public Histogram.Child Duration { get; }

    public CircuitState State => _state;

    /// <summary>Whether calls are refused now (lock-free: managed agents ask it for each of a version's tools per request).</summary>
    public bool IsOpen => _state == CircuitState.Open;

    /// <summary>When the circuit entered its current state.</summary>
    public DateTimeOffset Since
    {
        get
        {
            lock (_gate)
            {
                return _since;
            }
        }
    }

    /// <summary>The counters of calls made by <paramref name="agent"/>'s version <paramref name="version"/>.</summary>
    public ToolCallCounters CountersFor(string agent, int version, string versionText)
        => _byVersion.TryGetValue((agent, version), out var counters)
            ? counters
            : _byVersion.GetOrAdd((agent, version), static (key, state) => new ToolCallCounters(state.Tool, key.Agent, state.Text), (Tool: Name, Text: versionText));

    /// <summary>Counts a call as the breaker judged it, for the evidence of the next state change.</summary>
    internal void RecordCall(bool failed) => Volatile.Read(ref _window).Record(failed);

    /// <summary>How long until the open circuit lets a probe through, per the breaker's break duration.</summary>
    public TimeSpan RetryAfter()
    {
        lock (_gate)
        {
            var left = _since + _definition.Breaker.BreakDuration - _time.GetUtcNow();
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>This replica's report of the circuit, stamped now.</summary>
    public CircuitReport Report(string replica)
    {
        lock (_gate)
        {
            return new CircuitReport
            {
                Tool = Name,
                Replica = replica,
                State = _state,
                Since = _since,
                OutageSince = _outageSince,
                ReportedAt = _time.GetUtcNow(),
                Calls = _calls,
                Failures = _failures,
            };
        }
    }

    internal void Update(ToolDefinition definition) => _definition = definition;

    /// <summary>The token whose cancellation makes the registry build the pipeline again.</summary>
    internal CancellationToken ReloadToken
    {
        get
        {
            lock (_gate)
            {
                return _reload.Token;
            }
        }
    }

    /// <summary>Asks the registry for a new pipeline: a new breaker, closed, with the current options.</summary>
    internal void Reload()
    {
        CancellationTokenSource old;
        lock (_gate)
        {
            old = _reload;
            _reload = new CancellationTokenSource();
        }

        old.Cancel();
        old.Dispose();
    }

    /// <summary>Called as the registry builds a pipeline: the new breaker starts closed, with an empty window.</summary>
    /// <returns>The build's number; state changes reported by an older build's breaker are ignored.</returns>
    internal int BeginBuild()
    {
        int build;
        lock (_gate)
        {
            build = ++_build;
            _window = new CallWindow(_time, _definition.Breaker.SamplingDuration);
        }

        Changed(build, CircuitState.Closed);
        return build;
    }

    /// <summary>The breaker of build <paramref name="build"/> moved to <paramref name="state"/>.</summary>
    internal void Changed(int build, CircuitState state)
    {
        long calls, failures;
        lock (_gate)
        {
            if (build != _build || state == _state)
            {
                return;
            }

            var now = _time.GetUtcNow();
            if (state == CircuitState.Closed)
            {
                _outageSince = null;
            }
            else if (_state == CircuitState.Closed)
            {
                _outageSince = now;
            }

            _state = state;
            _since = now;
            (_calls, _failures) = _window.Read();
            calls = _calls;
            failures = _failures;
        }

        RollgateMetrics.ToolCircuitState.WithLabels(Name).Set((int)state);
        if (state == CircuitState.Open)
        {
            LogOpened(_logger, Name, failures, calls);
        }
        else
        {
            LogStateChanged(_logger, Name, state, failures, calls);
        }
        _onChange(this);
    }

    /// <summary>The tool was removed: its state and per-version series go, so a dashboard does not show a tool that no longer exists.</summary>
    internal void Retire()
    {
        RollgateMetrics.ToolCircuitState.RemoveLabelled(Name);
        foreach (var ((agent, _), counters) in _byVersion)
        {
            foreach (var outcome in (ReadOnlySpan<string>)["success", "error", "canceled", "rejected"])
            {
                RollgateMetrics.ToolRequests.RemoveLabelled(Name, outcome, agent, counters.Version);
            }
        }

        _byVersion.Clear();
    }

    [LoggerMessage(1300, LogLevel.Warning, "Tool {Tool}: circuit opened on this replica ({Failures} of {Calls} calls failed in the sampling window)")]
    private static partial void LogOpened(ILogger logger, string tool, long failures, long calls);

    [LoggerMessage(1301, LogLevel.Information, "Tool {Tool}: circuit {State} on this replica ({Failures} of {Calls} calls failed in the sampling window)")]
    private static partial void LogStateChanged(ILogger logger, string tool, CircuitState state, long failures, long calls);
}
