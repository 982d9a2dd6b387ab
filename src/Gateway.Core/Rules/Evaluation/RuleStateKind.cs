namespace Rollgate.Rules.Evaluation;

public enum RuleStateKind
{
    Ok,
    Pending,
    Firing,
    InsufficientData,
}
