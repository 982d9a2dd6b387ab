namespace Rollgate.Routing;

/// <summary>Limits the proxy listener applies to every agent request.</summary>
/// <param name="MaxRequestBodySize">The largest request body forwarded, in bytes (<c>Rollgate:MaxRequestBodySize</c>).</param>
public sealed record ProxyLimits(long MaxRequestBodySize);
