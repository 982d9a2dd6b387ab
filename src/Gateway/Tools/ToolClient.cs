using Rollgate.Routing;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Rollgate.Tools;

/// <summary>The HTTP client tool calls and probes go out on: the agents' own configuration, so the factory shares one.</summary>
internal static class ToolClient
{
    public static HttpMessageInvoker Create(IForwarderHttpClientFactory clients) => clients.CreateClient(new ForwarderHttpClientContext
    {
        ClusterId = "tools",
        OldConfig = HttpClientConfig.Empty,
        OldMetadata = null,
        OldClient = null,
        NewConfig = ProxyConfigBuilder.Client,
        NewMetadata = null,
    });
}
