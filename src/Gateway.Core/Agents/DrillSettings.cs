namespace Rollgate.Agents;

/// <summary>The <c>drill</c> member of a definition: how often the controller runs a rollback drill, and how a drill checks the target.</summary>
public sealed record DrillSettings
{
    /// <summary>Run a drill when the last one (or, before the first, the agent's creation) is this long ago; unset: only on request.</summary>
    public TimeSpan? Every { get; init; }

    /// <summary>
    /// A path a drill calls on every backend destination of the version it rolled back to, which must answer 2xx;
    /// unset: the drill checks this replica's routing only.
    /// </summary>
    public string? ProbePath { get; init; }
}
