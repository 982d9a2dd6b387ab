namespace Rollgate.Release;

/// <summary>Why a release command changed nothing. The admin API maps each reason to its problem type.</summary>
public enum RefusalReason
{
    /// <summary>The command does not apply to the current release state (no canary to promote, already stable, …).</summary>
    Conflict,

    /// <summary>A rollback without a named target found no version to go to.</summary>
    NoRollbackTarget,

    /// <summary>The situation the command was decided on has passed (a step no longer due, a rule's subject gone).</summary>
    Superseded,

    /// <summary>Other writers kept changing the agent while the command retried.</summary>
    ConcurrentChanges,
}
