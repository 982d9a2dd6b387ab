using System.Globalization;
using Rollgate.Signals;
using Yarp.ReverseProxy.Forwarder;

namespace Rollgate.Routing;

/// <summary>
/// Records each request against the version that served it, in-line: request counters and latency, cost (the
/// backend's <c>X-Rollgate-Cost-Usd</c>, else priced from the token usage read from the body), tokens, an in-line task
/// outcome (<c>X-Rollgate-Outcome</c>), the per-second figures rules read, and the request ledger that attributes an
/// outcome reported later. Counters and histogram children are the target's own, so nothing is looked up or allocated.
/// </summary>
/// <remarks>
/// Preview requests are an operator trying a version, not traffic: they have series of their own (role
/// <c>preview</c>) but stay out of the figures rules compare and out of the ledger.
/// </remarks>
internal sealed class RequestRecorder(IRequestLedger ledger) : IRequestRecorder
{
    public void Forwarded(VersionTarget target, HttpContext context, IForwarderErrorFeature? error, TimeSpan elapsed, string requestId)
    {
        var capture = context.Response.Body as UsageCaptureStream;
        capture?.Complete();
        if (error is null)
        {
            Answered(target, context.Response, capture, elapsed);
        }
        else
        {
            Failed(target, elapsed);
        }

        Remember(target, requestId);
    }

    /// <summary>Counted against the canary; not remembered, as the stable attempt serves the request id.</summary>
    public void RetriedOnStable(VersionTarget canary, TimeSpan elapsed) => Failed(canary, elapsed);

    /// <summary>A partly read usage event is left unparsed; the id is remembered, as the backend did serve it.</summary>
    public void Canceled(VersionTarget target, string requestId)
    {
        target.Canceled.Inc();
        Remember(target, requestId);
    }

    public void ModelAnswered(VersionTarget target, in ModelAnswer answer, TimeSpan elapsed, string requestId)
    {
        var failed = answer.Status >= 500;
        (failed ? target.Error : target.Success).Inc();
        target.Duration.Observe(elapsed.TotalSeconds);
        var cost = answer.HasUsage ? answer.Pricing.Cost(answer.InputTokens, answer.OutputTokens) : 0;
        if (cost > 0)
        {
            target.Cost.Inc(cost);
        }

        if (answer.HasUsage)
        {
            target.InputTokens.Inc(answer.InputTokens);
            target.OutputTokens.Inc(answer.OutputTokens);
        }

        RecordFigures(target, new RequestSignal(failed, elapsed.TotalMilliseconds, cost, answer.InputTokens, answer.OutputTokens, TaskOutcome.None, answer.Fallback));
        Remember(target, requestId);
    }

    public void ModelFailed(VersionTarget target, TimeSpan elapsed, string requestId)
    {
        Failed(target, elapsed);
        Remember(target, requestId);
    }

    private static void Failed(VersionTarget target, TimeSpan elapsed)
    {
        target.Error.Inc();
        target.Duration.Observe(elapsed.TotalSeconds);
        RecordFigures(target, new RequestSignal(true, elapsed.TotalMilliseconds, 0, 0, 0, TaskOutcome.None));
    }

    private static void Answered(VersionTarget target, HttpResponse response, UsageCaptureStream? capture, TimeSpan elapsed)
    {
        var failed = response.StatusCode >= 500;
        (failed ? target.Error : target.Success).Inc();
        target.Duration.Observe(elapsed.TotalSeconds);

        var cost = Cost(target, response.Headers, capture);
        if (cost > 0)
        {
            target.Cost.Inc(cost);
        }

        if (capture is { HasUsage: true })
        {
            target.InputTokens.Inc(capture.InputTokens);
            target.OutputTokens.Inc(capture.OutputTokens);
        }

        var outcome = Outcome(response.Headers);
        if (outcome == TaskOutcome.Completed)
        {
            target.Completed.Inc();
        }
        else if (outcome == TaskOutcome.Failed)
        {
            target.Failed.Inc();
        }

        RecordFigures(target, new RequestSignal(failed, elapsed.TotalMilliseconds, cost, capture?.InputTokens ?? 0, capture?.OutputTokens ?? 0, outcome));
    }

    /// <summary>The backend's own figure when it gives a valid one, else the version's pricing of the usage read from the body.</summary>
    private static double Cost(VersionTarget target, IHeaderDictionary headers, UsageCaptureStream? capture)
    {
        if (headers.TryGetValue(RollgateHeaders.CostUsd, out var header)
            && double.TryParse(header, NumberStyles.Float, CultureInfo.InvariantCulture, out var reported) && reported >= 0)
        {
            return reported;
        }

        return capture is { HasUsage: true } ? target.Pricing.Cost(capture.InputTokens, capture.OutputTokens) : 0;
    }

    private static TaskOutcome Outcome(IHeaderDictionary headers)
    {
        if (!headers.TryGetValue(RollgateHeaders.Outcome, out var outcome))
        {
            return TaskOutcome.None;
        }

        if (string.Equals(outcome, "completed", StringComparison.OrdinalIgnoreCase))
        {
            return TaskOutcome.Completed;
        }

        return string.Equals(outcome, "failed", StringComparison.OrdinalIgnoreCase) ? TaskOutcome.Failed : TaskOutcome.None;
    }

    private static void RecordFigures(VersionTarget target, in RequestSignal signal)
    {
        if (target.Role != VersionRole.Preview)
        {
            target.Signals.Record(in signal);
        }
    }

    private void Remember(VersionTarget target, string requestId)
    {
        if (target.Role != VersionRole.Preview)
        {
            ledger.Remember(target.Agent, requestId, target.Number);
        }
    }
}
