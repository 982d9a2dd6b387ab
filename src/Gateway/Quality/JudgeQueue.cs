using System.Threading.Channels;
using Rollgate.Managed;
using Rollgate.Observability;
using Rollgate.Routing;

namespace Rollgate.Quality;

/// <summary>
/// Where the data path leaves sampled answers for the judge: a bounded queue that never waits. A sample that finds it
/// full is dropped and counted (<c>rollgate_judge_requests_total{outcome="dropped"}</c>), so a slow or dead judge
/// costs requests nothing; <see cref="Admits"/> tells the data path so before it copies anything.
/// </summary>
public sealed class JudgeQueue(QualityOptions options, ModelCircuits circuits)
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

    /// <summary>
    /// Whether a sampled answer is worth copying for the judge now: not while the judge's circuit refuses calls (counted
    /// as <c>failed</c>, as the call would be) or the queue is full (counted as <c>dropped</c>). A dead or hanging judge
    /// then costs a sampled request a counter, not the copies of its request and answer.
    /// </summary>
    public bool Admits(QualityPlan plan, string version)
    {
        if (circuits.IsRefusing(plan.Judge.CircuitKey))
        {
            Count(plan.Agent, version, JudgeOutcome.Failed);
            return false;
        }

        if (_channel.Reader.Count >= options.QueueCapacity)
        {
            Count(plan.Agent, version, JudgeOutcome.Dropped);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Queues a sampled exchange once the client has the whole answer: the request as the client sent it and the answer
    /// as copied while relayed. An answer that outgrew its copy is dropped.
    /// </summary>
    internal void Offer(QualityPlan plan, VersionTarget target, ReadOnlySpan<byte> request, BodyCopy answer, bool streamed)
    {
        if (!answer.Complete)
        {
            Count(target.Agent, target.NumberText, JudgeOutcome.Dropped);
            return;
        }

        Offer(new JudgeSample(plan, target.Signals, target.NumberText, request.ToArray(), answer.ToArray(), streamed));
    }

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
