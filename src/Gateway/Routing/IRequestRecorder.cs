using Rollgate.Versions;
using Yarp.ReverseProxy.Forwarder;

namespace Rollgate.Routing;

/// <summary>
/// The signal step of the data path: what one forwarded request tells about the version that served it. Called once
/// per attempt, after the forward, on the request's own thread; implementations must not block, lock or do I/O.
/// </summary>
/// <remarks>A seam so the allocation benchmark can measure the same middleware with signals on and off.</remarks>
internal interface IRequestRecorder
{
    /// <summary>The backend answered (any status), or failed; <paramref name="error"/> is YARP's error, if any.</summary>
    void Forwarded(VersionTarget target, HttpContext context, IForwarderErrorFeature? error, TimeSpan elapsed, string requestId);

    /// <summary>A canary attempt failed before the backend sent anything, and the request goes to stable instead.</summary>
    void RetriedOnStable(VersionTarget canary, TimeSpan elapsed);

    /// <summary>The client went away: neither a success nor an error of the version.</summary>
    void Canceled(VersionTarget target, string requestId);

    /// <summary>A managed agent's model answered (any status below 500 of the model); cost is the usage at <paramref name="answer"/>'s pricing.</summary>
    void ModelAnswered(VersionTarget target, in ModelAnswer answer, TimeSpan elapsed, string requestId);

    /// <summary>No model of a managed agent's version answered (each failed, or its key is missing): an error of the version.</summary>
    void ModelFailed(VersionTarget target, TimeSpan elapsed, string requestId);
}

/// <summary>What a managed agent's model answered, as the signal step counts it.</summary>
/// <param name="Status">The status the client got.</param>
/// <param name="Pricing">The pricing of the model that answered.</param>
/// <param name="Fallback">A fallback answered, not the version's own model.</param>
internal readonly record struct ModelAnswer(int Status, ModelPricing Pricing, bool HasUsage, long InputTokens, long OutputTokens, bool Fallback);
