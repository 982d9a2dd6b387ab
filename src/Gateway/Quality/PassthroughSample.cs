using Rollgate.Routing;
using Rollgate.Signals;

namespace Rollgate.Quality;

/// <summary>
/// A passthrough request sampled for the judge: its JSON body is copied as YARP forwards it
/// (<see cref="RequestCopyStream"/>), the answer as it is relayed when it can carry text (JSON or an event stream, the
/// same bodies <see cref="UsageCaptureStream"/> reads), and both go to the <see cref="JudgeQueue"/> once the client
/// has the whole answer. A request that is not sampled pays one random draw.
/// </summary>
public sealed class PassthroughSample : IDisposable
{
    private readonly BodyCopy _request = new();
    private BodyCopy? _answer;
    private bool _streamed;

    private PassthroughSample(QualityPlan plan) => Plan = plan;

    public QualityPlan Plan { get; }

    /// <summary>
    /// Draws whether to judge this request and, when it is drawn, carries JSON and the judge can take it
    /// (<see cref="JudgeQueue.Admits"/>), starts copying its body.
    /// </summary>
    public static PassthroughSample? Start(QualityPlan plan, HttpRequest request, JudgeQueue judges, VersionTarget target)
    {
        // A conversation is JSON (chat completions, responses): anything else has none to judge.
        if (!plan.Sample() || !request.HasJsonContentType() || !judges.Admits(plan, target.NumberText))
        {
            return null;
        }

        var sample = new PassthroughSample(plan);
        request.Body = new RequestCopyStream(request.Body, sample._request);
        return sample;
    }

    /// <summary>Copies a successful answer as it is relayed: called once its headers are in and its body is about to be.</summary>
    internal void Keep(HttpResponse response, UsageCaptureStream capture)
    {
        if (response.StatusCode is < 200 or >= 300)
        {
            return;
        }

        _answer = new BodyCopy();
        _streamed = capture.IsEventStream;
        capture.Copy = _answer;
    }

    /// <summary>Hands the sample to the judge once the version answered: only a successful answer is judged.</summary>
    internal void Finish(JudgeQueue judges, VersionTarget target, int status)
    {
        if (status is < 200 or >= 300)
        {
            return;
        }

        if (_answer is null)
        {
            JudgeQueue.Count(target.Agent, target.NumberText, JudgeOutcome.Skipped); // not JSON or events: no text
        }
        else if (!_request.Complete)
        {
            JudgeQueue.Count(target.Agent, target.NumberText, JudgeOutcome.Dropped);
        }
        else
        {
            judges.Offer(Plan, target, _request.Written, _answer, _streamed);
        }
    }

    public void Dispose()
    {
        _request.Dispose();
        _answer?.Dispose();
    }
}
