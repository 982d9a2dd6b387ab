using System.Text.Json;

namespace Rollgate.Evals;

/// <summary>A suite of eval cases, as sent to <c>PUT /admin/agents/{agent}/evals/{suite}</c>.</summary>
public sealed record EvalSuite
{
    /// <summary>The data-path path under the agent's prefix each case is posted to.</summary>
    public string Path { get; init; } = "/v1/chat/completions";
    public IReadOnlyList<EvalCase> Cases { get; init; } = [];
}

/// <summary>One case: the chat messages sent to the version and what its answer must satisfy.</summary>
public sealed record EvalCase
{
    public IReadOnlyList<JsonElement> Messages { get; init; } = [];
    public EvalExpectation? Expect { get; init; }
}

/// <summary>Exactly one of its members: the answer contains a text, matches a regular expression, or the agent's judge scores it high enough.</summary>
public sealed record EvalExpectation
{
    public string? Contains { get; init; }
    public string? Regex { get; init; }
    public JudgeExpectation? Judge { get; init; }
}

/// <summary>The agent's <c>quality.judge</c> scores the answer against its rubric, from 0 to 1; the case passes at <see cref="MinScore"/> or above.</summary>
public sealed record JudgeExpectation
{
    public double? MinScore { get; init; }
}
