namespace Rollgate.Hosting;

/// <summary>The ports of the two listeners: agent traffic (proxy) and the admin API, metrics and health (admin).</summary>
public sealed record ListenerPorts(int Proxy, int Admin)
{
    /// <summary>The ports of settings that passed <see cref="RollgateOptionsValidator"/>.</summary>
    public static ListenerPorts Of(RollgateOptions options) => new(new Uri(options.ProxyUrl).Port, new Uri(options.AdminUrl).Port);
}
