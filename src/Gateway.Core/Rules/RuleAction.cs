namespace Rollgate.Rules;

/// <summary>What a rule does when its condition holds.</summary>
public enum RuleAction
{
    /// <summary>Only notifies.</summary>
    Alert,

    /// <summary>Stops rollout progression.</summary>
    Pause,

    /// <summary>Rolls the subject back atomically.</summary>
    Rollback,
}
