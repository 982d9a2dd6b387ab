using System.Net;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Rollgate.Routing;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Rollgate.Benchmarks;

/// <summary>
/// The request transforms YARP runs for one forwarded request, built by YARP's own transform builder: a gateway
/// version route (<see cref="RollgateTransforms"/>: rest of path, version and forwarding headers) against the minimal
/// proxy's route (<c>PathPattern: /{**rest}</c> and YARP's default forwarding headers). Each operation copies the
/// client's headers into a new outgoing request and applies the transforms, as the forwarder does.
/// </summary>
[MemoryDiagnoser]
public class TransformBenchmarks
{
    private HttpTransformer _gateway = null!;
    private HttpTransformer _minimal = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddReverseProxy().AddTransforms<RollgateTransforms>();
        var builder = services.BuildServiceProvider().GetRequiredService<ITransformBuilder>();
        var cluster = new ClusterConfig { ClusterId = "c" };
        _gateway = builder.Build(new RouteConfig
        {
            RouteId = "version",
            ClusterId = "c",
            Metadata = new Dictionary<string, string>
            {
                [ProxyIds.AgentMetadataKey] = "bench-bot",
                [ProxyIds.VersionMetadataKey] = "1",
                [ProxyIds.HashMetadataKey] = "sha256:" + new string('a', 64),
                [ProxyIds.RoleMetadataKey] = "stable",
            },
        }, cluster);
        _minimal = builder.Build(new RouteConfig
        {
            RouteId = "minimal",
            ClusterId = "c",
            Transforms = [new Dictionary<string, string> { ["PathPattern"] = "/{**rest}" }],
        }, cluster);
    }

    [Benchmark(Baseline = true, Description = "request transforms, minimal YARP route")]
    public ValueTask Minimal() => TransformAsync(_minimal);

    [Benchmark(Description = "request transforms, gateway version route")]
    public ValueTask Gateway() => TransformAsync(_gateway);

    private static ValueTask TransformAsync(HttpTransformer transformer)
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = "POST";
        request.Scheme = "http";
        request.Host = new HostString("127.0.0.1:8080");
        request.Path = "/agents/bench-bot/v1/chat/completions";
        request.RouteValues[RestOfPathTransform.Parameter] = "v1/chat/completions";
        request.Headers.ContentType = "application/json";
        request.Headers.Accept = "*/*";
        request.Headers[RollgateHeaders.SessionId] = "session-42";
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        return transformer.TransformRequestAsync(context, new HttpRequestMessage(), "http://127.0.0.1:5000", CancellationToken.None);
    }
}
