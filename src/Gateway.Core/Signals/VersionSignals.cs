namespace Rollgate.Signals;

/// <summary>
/// The hot-path handle of one agent version: the proxy records every request here (lock-free, allocation-free),
/// the <see cref="FigureFlusher"/> rotates it once a second. Get it from <see cref="SignalRecorder.For"/> and cache it
/// (e.g. in the routing table); the same instance is returned for the life of the process.
/// </summary>
/// <remarks>
/// Two accumulators take turns. A rotation (1) drains the one retired at the previous rotation, which nobody has
/// been handed for a whole interval, then (2) makes it current again and retires the current one. A writer that read
/// the current accumulator just before a swap finishes into the retired one, which is drained only one interval
/// later; a writer stalled even longer writes into an accumulator that is current again and is counted with the
/// next interval. Nothing recorded is ever lost.
/// </remarks>
public sealed class VersionSignals
{
    private readonly object _rotation = new();
    private SignalAccumulator _current = new();
    private SignalAccumulator _retired = new();
    private long _currentSinceMs;
    private long _retiredFromMs;
    private long _retiredToMs;
    private bool _hasRetired;

    internal VersionSignals(string agent, int version, long createdAtUnixMs)
    {
        Agent = agent;
        Version = version;
        _currentSinceMs = createdAtUnixMs;
    }

    public string Agent { get; }

    public int Version { get; }

    /// <summary>Records one proxied request (and its in-line task outcome, if any). Thread-safe, lock-free, no allocation.</summary>
    public void Record(in RequestSignal signal) => Volatile.Read(ref _current).Record(in signal);

    /// <summary>Records one call this version's agent made to a tool through the gateway. Thread-safe, lock-free, no allocation.</summary>
    public void RecordToolCall(bool failed) => Volatile.Read(ref _current).RecordToolCall(failed);

    /// <summary>Records a judge's score (0 to 1) of one of this version's answers, attributed to the interval in which it arrives.</summary>
    public void RecordQuality(double score) => Volatile.Read(ref _current).RecordQuality(score);

    /// <summary>Records a task outcome reported after the response (attributed to the interval in which it is reported).</summary>
    public void RecordOutcome(TaskOutcome outcome) => Volatile.Read(ref _current).RecordOutcome(outcome);

    /// <summary>
    /// Drains the accumulator retired at the previous rotation into a delta stamped with the unix second at the middle
    /// of the interval it was current, then retires the current one. Called by one flusher once a second.
    /// </summary>
    internal FigureDelta? Rotate(long nowUnixMs)
    {
        lock (_rotation)
        {
            FigureDelta? delta = null;
            var drained = _retired;
            if (_hasRetired && drained.Drain() is { } figures)
            {
                delta = new FigureDelta(Agent, Version, StampOf(_retiredFromMs, _retiredToMs), figures);
            }

            // Late writes into the drained accumulator from here on are counted with the interval it now serves.
            _retired = Interlocked.Exchange(ref _current, drained);
            _retiredFromMs = _currentSinceMs;
            _retiredToMs = Math.Max(nowUnixMs, _currentSinceMs);
            _currentSinceMs = _retiredToMs;
            _hasRetired = true;
            return delta;
        }
    }

    private static long StampOf(long fromMs, long toMs) => (long)Math.Floor((fromMs + (toMs - fromMs) / 2.0) / 1000.0);

    public override string ToString() => $"{Agent} v{Version}";
}
