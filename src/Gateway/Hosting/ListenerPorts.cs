namespace Rollgate.Hosting;

/// <summary>The ports of the two listeners: agent traffic (proxy) and the admin API, metrics and health (admin).</summary>
public sealed record ListenerPorts(int Proxy, int Admin);
