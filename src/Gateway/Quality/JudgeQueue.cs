using System.Threading.Channels;
using Rollgate.Observability;

namespace Rollgate.Quality;

/// <summary>
/// Where the data path leaves sampled answers for the judge: a bounded queue that never waits. A sample that finds it
/// full is dropped and counted (<c>rollgate_judge_requests_total{outcome="dropped"}</c>), so a slow or dead judge
/// costs requests nothing.
/// </summary>
public sealed class JudgeQueue(QualityOptions options)
{
    private readonly Channel<JudgeSample> _channel = Channel.CreateBounded<JudgeSample>(new BoundedChannelOptions(options.QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait, // with TryWrite: refused when full, never waits
        SingleReader = false,
        SingleWriter = false,
    });

    internal ChannelReader<JudgeSample> Reader => _channel.Reader;

    /// <summary>Samples waiting for the judge.</summary>
    public int Waiting => _channel.Reader.Count;

    /// <summary>Queues a sample for the judge, or drops it when the queue is full.</summary>
    public void Offer(JudgeSample sample)
    {
        if (!_channel.Writer.TryWrite(sample))
        {
            Count(sample.Plan.Agent, sample.Version, JudgeOutcome.Dropped);
        }
    }

    internal void Complete() => _channel.Writer.TryComplete();

    public static void Count(string agent, string version, string outcome) => RollgateMetrics.JudgeRequests.WithLabels(agent, version, outcome).Inc();
}
