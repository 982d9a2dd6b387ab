namespace Rollgate.Release;

/// <summary>What caused a rollback: the <c>trigger</c> of <c>rollgate_rollbacks_total</c> and of the rollback's answer.</summary>
public enum RollbackTrigger
{
    /// <summary>An operator, through the admin API.</summary>
    Manual,

    /// <summary>A rollback rule whose condition held.</summary>
    Rule,

    /// <summary>A rollback drill, which restores the version it left afterwards.</summary>
    Drill,

    /// <summary>A tool circuit that opened (or closed again) and moved the agent to (or back from) its fallback version.</summary>
    Circuit,
}
