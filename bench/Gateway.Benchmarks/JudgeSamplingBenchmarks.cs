using System.Text;
using BenchmarkDotNet.Attributes;
using Rollgate.Agents;
using Rollgate.Quality;
using Rollgate.Signals;

namespace Rollgate.Benchmarks;

/// <summary>
/// What judged quality adds to a managed request on the data path: the sampling decision every request pays, and what
/// a sampled one pays on top (its 2 KB answer copied as it is relayed, the request kept, the sample queued for the
/// judge worker). The judge call itself runs off the request path and is not here.
/// </summary>
[MemoryDiagnoser]
public class JudgeSamplingBenchmarks
{
    private readonly byte[] _request = ManagedRewriteBenchmarks.ChatRequestOf(2048);
    private readonly byte[] _answer = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":""" + "\""
        + new string('a', 1800) + "\"" + """},"finish_reason":"stop"}],"usage":{"prompt_tokens":500,"completion_tokens":450,"total_tokens":950}}""");

    private QualityPlan _plan = null!;
    private JudgeQueue _queue = null!;
    private VersionSignals _signals = null!;

    [GlobalSetup]
    public void Setup()
    {
        _plan = new QualityPlan("bench-bot", new QualitySettings
        {
            Judge = new JudgeSpec { Endpoint = "http://127.0.0.1:9/v1", Model = "judge" },
            Rubric = "Be correct.",
            SampleRate = 0.05,
        });
        _queue = new JudgeQueue(new QualityOptions { QueueCapacity = 1000 });
        _signals = new SignalRecorder().For("bench-bot", 1);
    }

    [Benchmark(Baseline = true, Description = "sampling decision (every request)")]
    public bool Decide() => _plan.Sample();

    [Benchmark(Description = "a sampled request: 2 KB answer copied, request kept, sample queued")]
    public int Sampled()
    {
        using var kept = new AnswerCopy();
        // The relay's 16 KB reads deliver a 2 KB answer in one chunk.
        kept.Append(_answer);
        _queue.Offer(new JudgeSample(_plan, _signals, "1", _request.AsMemory().ToArray(), kept.ToArray(), Streamed: false));
        return Drain();
    }

    [Benchmark(Description = "per request at sampleRate 0.05 (decision + 5% sampled)")]
    public int Amortised() => _plan.Sample() ? Sampled() : 0;

    /// <summary>Stands for the judge worker taking the sample, so the queue never fills.</summary>
    private int Drain()
    {
        var taken = 0;
        while (_queue.Reader.TryRead(out _))
        {
            taken++;
        }

        return taken;
    }
}
