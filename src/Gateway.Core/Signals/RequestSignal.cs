namespace Rollgate.Signals;

/// <summary>What the data path learned from one proxied request; recorded per version, per second.</summary>
/// <param name="Fallback">Answered by one of the version's fallback models rather than its own (managed agents only).</param>
public readonly record struct RequestSignal(
    bool Error,
    double LatencyMs,
    double CostUsd,
    long InputTokens,
    long OutputTokens,
    TaskOutcome Outcome,
    bool Fallback = false);
