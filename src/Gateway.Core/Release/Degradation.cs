namespace Rollgate.Release;

/// <summary>
/// An agent moved off its release while a tool's circuit is open: all its traffic goes to <see cref="RouteTo"/> until
/// the tool has been closed on every replica for the tool's break duration. The release itself (stable, paused
/// canary) is kept underneath and serves again once the degradation ends.
/// </summary>
public sealed record Degradation(string Tool, int RouteTo, DateTimeOffset Since);
