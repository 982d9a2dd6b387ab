namespace Rollgate.Rules;

/// <summary>
/// The condition part of a rule. The hierarchy is closed (<see cref="ThresholdCondition"/>, <see cref="BaselineRatioCondition"/>,
/// <see cref="RelativeChangeCondition"/>) so evaluators can switch over it exhaustively.
/// </summary>
public abstract record RuleCondition
{
    private protected RuleCondition()
    {
    }

    /// <summary>True when the condition compares the subject with a baseline, so it cannot be evaluated without one.</summary>
    public abstract bool IsRelative { get; }
}
