using Rollgate.Release;

namespace Rollgate.Drills;

/// <summary>What came of asking for a drill.</summary>
public abstract record DrillOutcome
{
    /// <summary>Nothing changed: the rollback was refused (or the agent is unknown, or <c>If-Match</c> failed).</summary>
    public sealed record NotRun(CommandResult Result) : DrillOutcome;

    /// <summary>The drill ran, passed or failed; <paramref name="Recorded"/> is the commit of its <c>drill</c> event.</summary>
    public sealed record Ran(DrillReport Report, CommandResult Recorded) : DrillOutcome;
}
