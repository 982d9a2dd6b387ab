namespace Rollgate.Managed;

/// <summary>
/// The circuit breaker in front of every model endpoint of managed agents, bound from <c>Rollgate:ModelCircuit</c>: when
/// enough of an endpoint's recent calls fail, it is skipped (its fallbacks answer at once) until the break is over.
/// </summary>
public sealed class ModelCircuitOptions
{
    public const string SectionName = "Rollgate:ModelCircuit";

    /// <summary>The share of failed calls (5xx, unreachable, timed out) within <see cref="SamplingDuration"/> that opens the circuit.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Calls within <see cref="SamplingDuration"/> before the ratio counts: a model called rarely is not cut off by one failure.</summary>
    public int MinimumThroughput { get; set; } = 5;

    /// <summary>The window the failure ratio is measured over.</summary>
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit skips the endpoint before one call probes it again.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}
