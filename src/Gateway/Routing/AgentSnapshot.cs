using Rollgate.Release;
using Rollgate.Versions;

namespace Rollgate.Routing;

/// <summary>What this replica knows of one agent: its committed record and its (immutable) versions.</summary>
public sealed record AgentSnapshot(AgentRecord Record, IReadOnlyDictionary<int, AgentVersion> Versions);
