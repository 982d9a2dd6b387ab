namespace Rollgate.Routing;

/// <summary>What the gateway decided for one proxied request; read by the response transform and the signal recorder.</summary>
public sealed class ProxyRequestFeature(VersionTarget target, string requestId)
{
    public VersionTarget Target { get; } = target;
    public string RequestId { get; } = requestId;
}
