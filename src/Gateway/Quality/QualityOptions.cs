namespace Rollgate.Quality;

/// <summary>
/// How judge calls run beside the data path, bound from <c>Rollgate:Quality</c>: sampled answers wait in a bounded
/// queue for a fixed number of judge calls, so a slow or dead judge costs requests nothing but dropped samples.
/// </summary>
public sealed class QualityOptions
{
    public const string SectionName = "Rollgate:Quality";

    /// <summary>Sampled answers waiting for the judge; a sample that finds the queue full is dropped and counted.</summary>
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>Judge calls in flight at once, over all agents.</summary>
    public int Concurrency { get; set; } = 2;

    /// <summary>How long the judge may take to answer one call before it counts as failed.</summary>
    public TimeSpan JudgeTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
