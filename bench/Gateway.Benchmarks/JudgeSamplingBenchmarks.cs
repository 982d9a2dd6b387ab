using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Rollgate.Agents;
using Rollgate.Managed;
using Rollgate.Quality;
using Rollgate.Routing;
using Rollgate.Signals;

namespace Rollgate.Benchmarks;

/// <summary>
/// What judged quality adds to a request on the data path: the sampling decision every request pays, and what a
/// sampled one pays on top. Managed: its 2 KB answer copied as it is relayed, the request kept, the sample queued for
/// the judge worker. Passthrough: the 2 KB request copied as YARP reads it, the answer as it is relayed through the
/// usage capture, the sample queued. The judge call itself runs off the request path and is not here.
/// </summary>
[MemoryDiagnoser]
public class JudgeSamplingBenchmarks
{
    private readonly byte[] _request = ManagedRewriteBenchmarks.ChatRequestOf(2048);
    private readonly byte[] _answer = Encoding.UTF8.GetBytes(
        """{"id":"chatcmpl-1","object":"chat.completion","created":1700000000,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":""" + "\""
        + new string('a', 1800) + "\"" + """},"finish_reason":"stop"}],"usage":{"prompt_tokens":500,"completion_tokens":450,"total_tokens":950}}""");

    private readonly byte[] _scratch = new byte[16 * 1024];
    private readonly MemoryStream _requestBody = new();
    private readonly DefaultHttpContext _context = new();

    private QualityPlan _plan = null!;
    private QualityPlan _always = null!;
    private JudgeQueue _queue = null!;
    private VersionTarget _target = null!;

    [GlobalSetup]
    public void Setup()
    {
        var settings = new QualitySettings
        {
            Judge = new JudgeSpec { Endpoint = "http://127.0.0.1:9/v1", Model = "judge" },
            Rubric = "Be correct.",
            SampleRate = 0.05,
        };
        _plan = new QualityPlan("bench-bot", settings);
        _always = new QualityPlan("bench-bot", settings with { SampleRate = 1 });
        _queue = new JudgeQueue(new QualityOptions { QueueCapacity = 1000 }, new ModelCircuits(new ModelCircuitOptions(), TimeProvider.System, NullLogger<ModelCircuits>.Instance));
        _target = new ProxyFixture().Route.Stable!;
        _requestBody.Write(_request);
        _context.Request.ContentType = "application/json";
        _context.Response.ContentType = "application/json";
    }

    [Benchmark(Baseline = true, Description = "sampling decision (every request)")]
    public bool Decide() => _plan.Sample();

    [Benchmark(Description = "a sampled request: judge admits it, 2 KB answer copied, request kept, sample queued")]
    public int Sampled()
    {
        if (!_queue.Admits(_plan, "1"))
        {
            return 0;
        }

        using var kept = new BodyCopy();
        // The relay's 16 KB reads deliver a 2 KB answer in one chunk.
        kept.Append(_answer);
        _queue.Offer(_plan, _target, _request, kept, streamed: false);
        return Drain();
    }

    [Benchmark(Description = "per request at sampleRate 0.05 (decision + 5% sampled)")]
    public int Amortised() => _plan.Sample() ? Sampled() : 0;

    [Benchmark(Description = "a sampled passthrough request: 2 KB request copied as forwarded, 2 KB answer as relayed, sample queued")]
    public int SampledPassthrough()
    {
        var request = _context.Request;
        _requestBody.Position = 0;
        request.Body = _requestBody;
        using var sample = PassthroughSample.Start(_always, request, _queue, _target)!;
        while (request.Body.Read(_scratch) > 0)
        {
            // YARP reading the body to send it on
        }

        var response = _context.Response;
        response.Body = Stream.Null;
        using var capture = UsageCaptureStream.For(response)!;
        sample.Keep(response, capture);
        capture.Write(_answer);
        capture.Complete();
        sample.Finish(_queue, _target, StatusCodes.Status200OK);
        return Drain();
    }

    [Benchmark(Description = "passthrough, per request at sampleRate 0.05 (decision + 5% sampled)")]
    public int AmortisedPassthrough() => _plan.Sample() ? SampledPassthrough() : 0;

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
