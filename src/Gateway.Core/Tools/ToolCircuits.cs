using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Timeout;

namespace Rollgate.Tools;

/// <summary>
/// The tools of this replica and their resilience pipelines, built by Polly's <see cref="ResiliencePipelineRegistry{TKey}"/>
/// from each tool's options: a circuit breaker around a timeout. A change of the breaker's options reloads the
/// pipeline (a new breaker, closed); any other change (endpoint, timeout) keeps the breaker and its state, as the
/// timeout is read from the current definition at every call. Lookups are lock-free reads of a frozen snapshot.
/// </summary>
public sealed partial class ToolCircuits : IDisposable
{
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipelineRegistry<string> _registry = new();
    // Every tool ever registered, so a tool deleted and registered again keeps its pipeline's registry entry.
    private readonly ConcurrentDictionary<string, ToolCircuit> _known = new(StringComparer.Ordinal);
    private readonly Lock _applyGate = new();
    private Snapshot _active = Snapshot.Empty;

    public ToolCircuits(TimeProvider time, ILogger<ToolCircuits> logger)
    {
        _time = time;
        _logger = logger;
    }

    /// <summary>Raised (on the thread of the call that moved it) when a tool's circuit changes state.</summary>
    public event Action<ToolCircuit>? StateChanged;

    /// <summary>The registered tools, by name.</summary>
    public IReadOnlyCollection<ToolCircuit> Active => Volatile.Read(ref _active).Circuits.Values;

    public bool TryGet(ReadOnlySpan<char> name, [MaybeNullWhen(false)] out ToolCircuit circuit)
        => Volatile.Read(ref _active).Lookup.TryGetValue(name, out circuit);

    /// <summary>Whether <paramref name="name"/> is a registered tool whose circuit is open on this replica.</summary>
    public bool IsOpen(string name) => Volatile.Read(ref _active).Circuits.TryGetValue(name, out var circuit) && circuit.IsOpen;

    /// <summary>Makes the registered tools exactly <paramref name="tools"/>.</summary>
    public void Apply(IReadOnlyList<ToolRecord> tools)
    {
        lock (_applyGate)
        {
            var current = Volatile.Read(ref _active).Circuits;
            var next = new Dictionary<string, ToolCircuit>(StringComparer.Ordinal);
            foreach (var tool in tools)
            {
                if (_known.TryGetValue(tool.Name, out var circuit))
                {
                    var breakerChanged = circuit.Definition.Breaker != tool.Definition.Breaker;
                    circuit.Update(tool.Definition);
                    if (breakerChanged || !current.ContainsKey(tool.Name))
                    {
                        circuit.Reload();
                    }
                }
                else
                {
                    circuit = new ToolCircuit(tool.Name, tool.Definition, _time, _logger, c => StateChanged?.Invoke(c));
                    _known[tool.Name] = circuit;
                    circuit.Pipeline = _registry.GetOrAddPipeline<ToolCallResult>(tool.Name, Configure);
                }

                next[tool.Name] = circuit;
            }

            foreach (var (name, circuit) in current)
            {
                if (!next.ContainsKey(name))
                {
                    circuit.Retire();
                }
            }

            Volatile.Write(ref _active, new Snapshot(next.ToFrozenDictionary(StringComparer.Ordinal)));
        }
    }

    public void Dispose() => _registry.Dispose();

    private void Configure(ResiliencePipelineBuilder<ToolCallResult> builder, ConfigureBuilderContext<string> context)
    {
        var circuit = _known[context.PipelineKey];
        context.AddReloadToken(circuit.ReloadToken);
        var build = circuit.BeginBuild();
        var breaker = circuit.Definition.Breaker;
        builder.TimeProvider = _time;
        builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<ToolCallResult>
            {
                FailureRatio = breaker.FailureRatio,
                MinimumThroughput = breaker.MinimumThroughput,
                SamplingDuration = breaker.SamplingDuration,
                BreakDuration = breaker.BreakDuration,
                // Every outcome the breaker judges is also counted for the evidence of its next change of state.
                ShouldHandle = args =>
                {
                    var failed = ToolCallFailures.IsFailure(args.Outcome);
                    circuit.RecordCall(failed);
                    return ValueTask.FromResult(failed);
                },
                OnOpened = _ => Moved(circuit, build, CircuitState.Open),
                OnHalfOpened = _ => Moved(circuit, build, CircuitState.HalfOpen),
                OnClosed = _ => Moved(circuit, build, CircuitState.Closed),
            })
            .AddTimeout(new TimeoutStrategyOptions
            {
                // Read at every call, so a changed timeout needs no new pipeline (and keeps the breaker's state).
                TimeoutGenerator = _ => ValueTask.FromResult(circuit.Definition.Timeout),
            });
    }

    private static ValueTask Moved(ToolCircuit circuit, int build, CircuitState state)
    {
        circuit.Changed(build, state);
        return ValueTask.CompletedTask;
    }

    private sealed class Snapshot(FrozenDictionary<string, ToolCircuit> circuits)
    {
        public static readonly Snapshot Empty = new(new Dictionary<string, ToolCircuit>().ToFrozenDictionary(StringComparer.Ordinal));

        public FrozenDictionary<string, ToolCircuit> Circuits { get; } = circuits;

        public FrozenDictionary<string, ToolCircuit>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; } = circuits.GetAlternateLookup<ReadOnlySpan<char>>();
    }
}
