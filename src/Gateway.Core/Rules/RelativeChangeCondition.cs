namespace Rollgate.Rules;

/// <summary>
/// <c>drops by percent</c> / <c>rises by percent</c>: the subject moved against the baseline by at least <see cref="Fraction"/>
/// of the baseline (20% → 0.20).
/// </summary>
public sealed record RelativeChangeCondition(ChangeDirection Direction, double Fraction) : RuleCondition
{
    public override bool IsRelative => true;
}
