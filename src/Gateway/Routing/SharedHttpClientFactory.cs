using System.Collections.Concurrent;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Rollgate.Routing;

/// <summary>
/// One <see cref="HttpMessageInvoker"/> per distinct client configuration instead of one per cluster. Every version
/// is its own YARP cluster, and versions of an agent usually call the same backend (a new prompt, the same model
/// server): with a client per cluster a 50 % canary splits the connections to that backend into two pools, each
/// half as busy, which costs every request more wake-ups and context switches. The handler keeps one pool per
/// backend host, so versions on different backends still get their own connections. Clients are built by YARP's own
/// factory; they are never disposed, as YARP never disposes a replaced cluster's client either (requests in flight
/// may still use it), and there are only as many as distinct configurations.
/// </summary>
public sealed class SharedHttpClientFactory(ILogger<ForwarderHttpClientFactory> logger) : IForwarderHttpClientFactory
{
    private readonly ForwarderHttpClientFactory _factory = new(logger);
    private readonly ConcurrentDictionary<HttpClientConfig, Lazy<HttpMessageInvoker>> _clients = new();

    // Lazy: GetOrAdd may run its factory twice under a race, and a second handler would leak a connection pool.
    public HttpMessageInvoker CreateClient(ForwarderHttpClientContext context)
        => _clients.GetOrAdd(context.NewConfig, config => new Lazy<HttpMessageInvoker>(() => _factory.CreateClient(new ForwarderHttpClientContext
            {
                ClusterId = context.ClusterId, // the first cluster with this configuration; used in YARP's log line only
                OldConfig = HttpClientConfig.Empty,
                OldMetadata = null,
                OldClient = null,
                NewConfig = config,
                NewMetadata = null,
            }))).Value;
}
