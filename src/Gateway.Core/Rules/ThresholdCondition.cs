namespace Rollgate.Rules;

/// <summary>
/// <c>comparator value</c>, e.g. <c>&gt; 15%</c>. <see cref="Threshold"/> is normalised to the metric's own unit:
/// a fraction for rates (15% → 0.15), milliseconds for latencies (2s → 2000), the plain number otherwise.
/// </summary>
public sealed record ThresholdCondition(Comparator Comparator, double Threshold) : RuleCondition
{
    public override bool IsRelative => false;
}
