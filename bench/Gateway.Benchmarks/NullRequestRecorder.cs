using Microsoft.AspNetCore.Http;
using Rollgate.Routing;
using Yarp.ReverseProxy.Forwarder;

namespace Rollgate.Benchmarks;

/// <summary>
/// The "signals off" step: records nothing (no counters, histogram, figures or ledger), so the real
/// <see cref="AgentProxyMiddleware"/> built with it measures everything but the signals.
/// </summary>
internal sealed class NullRequestRecorder : IRequestRecorder
{
    public static NullRequestRecorder Instance { get; } = new();

    private NullRequestRecorder()
    {
    }

    public void Forwarded(VersionTarget target, HttpContext context, IForwarderErrorFeature? error, TimeSpan elapsed, string requestId)
    {
    }

    public void RetriedOnStable(VersionTarget canary, TimeSpan elapsed)
    {
    }

    public void Canceled(VersionTarget target, string requestId)
    {
    }

    public void ModelAnswered(VersionTarget target, in ModelAnswer answer, TimeSpan elapsed, string requestId)
    {
    }

    public void ModelFailed(VersionTarget target, TimeSpan elapsed, string requestId)
    {
    }
}
