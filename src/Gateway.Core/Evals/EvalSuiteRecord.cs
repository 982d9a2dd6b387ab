namespace Rollgate.Evals;

/// <summary>A stored eval suite; versioned by <see cref="Generation"/> like an agent or a tool.</summary>
public sealed record EvalSuiteRecord
{
    public required string Agent { get; init; }
    public required string Name { get; init; }
    /// <summary>Bumped by one on every change; the suite's ETag.</summary>
    public required long Generation { get; init; }
    public required EvalSuite Suite { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}
