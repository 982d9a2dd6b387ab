namespace Rollgate.Signals;

/// <summary>What the data path learned from one proxied request; recorded per version, per second.</summary>
public readonly record struct RequestSignal(
    bool Error,
    double LatencyMs,
    double CostUsd,
    long InputTokens,
    long OutputTokens,
    TaskOutcome Outcome);
