namespace Rollgate.Evals;

/// <summary>One run of a suite against one version: what each case got and what it cost.</summary>
public sealed record EvalResult
{
    public required string Id { get; init; }
    public required string Agent { get; init; }
    public required string Suite { get; init; }
    public required long SuiteGeneration { get; init; }
    public required int Version { get; init; }
    public required DateTimeOffset At { get; init; }
    public required int Passed { get; init; }
    public required int Total { get; init; }
    /// <summary>Passed cases over all cases, from 0 to 1.</summary>
    public required double PassRate { get; init; }
    public required double CostUsd { get; init; }
    public required IReadOnlyList<EvalCaseOutcome> Cases { get; init; }

    public static string NewId(DateTimeOffset at) => "eval_" + Guid.CreateVersion7(at).ToString("N");
}

/// <summary>A case's outcome: the status and answer the data path gave, and why it failed when it did.</summary>
public sealed record EvalCaseOutcome
{
    public required int Index { get; init; }
    public required bool Passed { get; init; }
    /// <summary>The HTTP status of the answer; 0 when none came.</summary>
    public required int Status { get; init; }
    /// <summary>The answer's text (the first choice's message for a chat completion, else the body), cut to a few KB.</summary>
    public required string Answer { get; init; }
    public string? Failure { get; init; }
    /// <summary>The judge's score, for a judge expectation that got one.</summary>
    public double? Score { get; init; }
    public required double CostUsd { get; init; }
}
