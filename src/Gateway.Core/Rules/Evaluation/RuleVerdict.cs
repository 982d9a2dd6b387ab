using Rollgate.Rules.Statistics;

namespace Rollgate.Rules.Evaluation;

public enum Verdict
{
    Clear,
    Holds,
    InsufficientData,
}

/// <summary>One evaluation of a rule's condition on a subject against its baseline (no <c>for</c>, no action).</summary>
public sealed record RuleVerdict(Verdict Verdict, double? Value, double? Baseline, long SubjectN, long BaselineN, SequentialTestResult? Test);
