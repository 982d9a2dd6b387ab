using System.Collections.Concurrent;

namespace Rollgate.Signals;

/// <summary>
/// The process-wide registry of <see cref="VersionSignals"/> (a singleton). <see cref="For"/> is meant to be called when
/// the routing table is built, not per request: it returns the same handle for an agent version every time, so
/// handles cached by an old routing table keep counting after a rebuild.
/// </summary>
/// <remarks>
/// A handle lives as long as the process. It is small until its version is first requested; then its two accumulators
/// of 301 latency buckets make it about 5 KB.
/// </remarks>
public sealed class SignalRecorder(TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<(string Agent, int Version), VersionSignals> _handles = new();

    public SignalRecorder()
        : this(TimeProvider.System)
    {
    }

    internal TimeProvider Time { get; } = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));

    /// <summary>The handle of one agent version, created on first use.</summary>
    public VersionSignals For(string agent, int version)
    {
        ArgumentException.ThrowIfNullOrEmpty(agent);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(version);
        return _handles.TryGetValue((agent, version), out var handle)
            ? handle
            : _handles.GetOrAdd((agent, version), static (key, time) => new VersionSignals(key.Agent, key.Version, time.GetUtcNow().ToUnixTimeMilliseconds()), Time);
    }

    /// <summary>Every handle created so far.</summary>
    public IReadOnlyCollection<VersionSignals> Handles => _handles.Values.ToArray();

    /// <summary>Rotates every handle and returns the deltas of the intervals retired at the previous rotation.</summary>
    internal List<FigureDelta> Rotate()
    {
        var now = Time.GetUtcNow().ToUnixTimeMilliseconds();
        var deltas = new List<FigureDelta>();
        foreach (var handle in _handles.Values)
        {
            if (handle.Rotate(now) is { } delta)
            {
                deltas.Add(delta);
            }
        }

        return deltas;
    }
}
