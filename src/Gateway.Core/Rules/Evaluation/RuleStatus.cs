namespace Rollgate.Rules.Evaluation;

/// <summary>A rule's state at the last evaluation, as shown in <c>GET /admin/agents/{agent}</c>.</summary>
public sealed record RuleStatus(
    string Text,
    RuleStateKind State,
    double? Value,
    double? Baseline,
    int? Subject,
    long SubjectRequests,
    long BaselineRequests,
    DateTimeOffset EvaluatedAt);
