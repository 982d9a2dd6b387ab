using Rollgate.Agents;
using Rollgate.Versions;

namespace Rollgate.Hosting;

/// <summary>
/// The <c>Rollgate:Seed</c> file: agents with their definitions and versions, and optionally a version to deploy
/// when the agent has nothing deployed yet.
/// </summary>
public sealed record SeedFile
{
    public IReadOnlyList<SeedAgent> Agents { get; init; } = [];
}

public sealed record SeedAgent
{
    public required string Name { get; init; }
    public AgentDefinition Definition { get; init; } = AgentDefinition.Default;
    public IReadOnlyList<VersionManifest> Versions { get; init; } = [];
    /// <summary>Deployed (immediately) only while the agent has no stable version, so restarts change nothing.</summary>
    public int? Deploy { get; init; }
}
