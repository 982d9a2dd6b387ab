using Rollgate.Release;

namespace Rollgate.Drills;

/// <summary>Checks, during a drill, that this replica's data path serves the version the drill expects.</summary>
public interface IDrillProbe
{
    /// <summary>
    /// Whether a request in a stable bucket of <paramref name="record"/>'s agent is routed here to <paramref name="version"/>
    /// (by routing as of <paramref name="record"/>'s generation or later), and, when the definition names a
    /// <c>drill.probePath</c>, whether every backend destination of that version answers it with 2xx.
    /// </summary>
    /// <returns>Null when all holds; otherwise what did not, for the drill's <c>failure</c>.</returns>
    Task<string?> ProbeAsync(AgentRecord record, int version, CancellationToken cancellationToken);
}
