namespace Rollgate.Tools;

/// <summary>A tool agents call through the gateway, as sent to <c>PUT /admin/tools/{tool}</c>.</summary>
public sealed record ToolDefinition
{
    /// <summary>Where calls go: <c>/tools/{tool}/{rest}</c> is forwarded to <c>{endpoint}/{rest}</c>.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The longest a call may take, to the last byte of the answer; longer is a failure (504).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    public ToolBreaker Breaker { get; init; } = ToolBreaker.Default;

    /// <summary>
    /// Path under <see cref="Endpoint"/> the gateway GETs to probe an open circuit once its break is over, so a tool that
    /// nobody calls while its agents are degraded can still close again. Empty probes the endpoint itself; any answer
    /// below 500 counts as the tool being back.
    /// </summary>
    public string ProbePath { get; init; } = "";
}

/// <summary>When the tool's circuit opens, and for how long: the options of Polly's circuit breaker.</summary>
public sealed record ToolBreaker
{
    public static readonly ToolBreaker Default = new();

    /// <summary>The share of failed calls in the sampling window at which the circuit opens.</summary>
    public double FailureRatio { get; init; } = 0.5;

    /// <summary>Fewer calls than this in the sampling window never open the circuit.</summary>
    public int MinimumThroughput { get; init; } = 10;

    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open before a probe is let through; also how long a tool must stay closed
    /// everywhere before a degraded agent returns.</summary>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(30);
}
