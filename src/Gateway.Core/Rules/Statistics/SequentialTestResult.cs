namespace Rollgate.Rules.Statistics;

/// <summary>
/// Outcome of an always-valid sequential test, shaped for a rule's history <c>evidence</c>.
/// <see cref="Statistic"/> is ln M, the log of the mixture likelihood ratio (a test martingale), and
/// <see cref="Threshold"/> is ln(1/α); the test is significant once the statistic reaches it. Equivalently,
/// exp(−Statistic) is an always-valid p-value for this evaluation.
/// </summary>
public readonly record struct SequentialTestResult(bool Significant, double Statistic, double Threshold, string Method);
