namespace Rollgate.Rules;

/// <summary><c>comparator number x baseline</c>, e.g. <c>&gt; 3x baseline</c>: the subject is compared with <see cref="Factor"/> × baseline.</summary>
public sealed record BaselineRatioCondition(Comparator Comparator, double Factor) : RuleCondition
{
    public override bool IsRelative => true;
}
