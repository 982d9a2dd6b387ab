using System.Net;

namespace Rollgate.Managed;

/// <summary>
/// The one HTTP client managed agents call their models with: a pool of connections per model host, no cookies, no
/// redirects, no proxy from the environment and no decompression (the gateway reads usage from the bytes it relays).
/// </summary>
public sealed class ModelClient : IDisposable
{
    public ModelClient()
    {
        Invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = TimeSpan.FromSeconds(15),
            // DNS changes of a provider are picked up without restarting the gateway.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        });
    }

    public HttpMessageInvoker Invoker { get; }

    public void Dispose() => Invoker.Dispose();
}
