namespace Rollgate.Admin.Endpoints;

public sealed record DeploymentRequest
{
    public int? Version { get; init; }
    /// <summary><c>canary</c> or <c>immediate</c>; default canary when a stable exists, else immediate.</summary>
    public string? Strategy { get; init; }
    public IReadOnlyList<double>? Steps { get; init; }
    public TimeSpan? StepDuration { get; init; }
}

public sealed record WeightRequest
{
    public double? CanaryPercent { get; init; }
}

public sealed record RollbackRequest
{
    public int? To { get; init; }
    public string? Reason { get; init; }
}

public sealed record PauseRequest
{
    public string? Reason { get; init; }
}

public sealed record OutcomeRequest
{
    public string? RequestId { get; init; }
    /// <summary><c>completed</c> or <c>failed</c>.</summary>
    public string? Outcome { get; init; }
}
