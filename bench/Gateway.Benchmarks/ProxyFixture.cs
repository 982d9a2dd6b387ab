using System.Collections.Frozen;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Rollgate.Agents;
using Rollgate.Release;
using Rollgate.Routing;
using Rollgate.Security;
using Rollgate.Signals;
using Rollgate.Versions;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Rollgate.Benchmarks;

/// <summary>
/// Everything the data path reads, built the way the gateway builds it (AgentRouteBuilder over an agent record and
/// its versions), with a canary at 50% so sticky keys split between the two versions; plus a stand-in for YARP's
/// state (real RouteModel/ClusterState objects) and a fake "next" that behaves like the forwarder on success.
/// </summary>
internal sealed class ProxyFixture
{
    public const string AgentName = "support-bot";
    public static readonly byte[] ResponseBody =
        """{"id":"chatcmpl-1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"Your refund is on its way."},"finish_reason":"stop"}],"usage":{"prompt_tokens":412,"completion_tokens":37,"total_tokens":449}}"""u8.ToArray();

    /// <summary>A longer completion (≈ 2 KB of text with escapes and braces in it) in the same shape.</summary>
    public static readonly byte[] LongResponseBody = System.Text.Encoding.UTF8.GetBytes(
        "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""
        + string.Concat(Enumerable.Repeat("Step {n}: check the \\\"order\\\" [id] and refund it. ", 40))
        + "\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":412,\"completion_tokens\":537,\"total_tokens\":949}}");

    private readonly string[] _sessions = Enumerable.Range(0, 1024).Select(i => $"session-{i:D6}").ToArray();
    private readonly RouteModel _entryRoute;
    private int _next;

    public ProxyFixture()
    {
        Recorder = new SignalRecorder();
        Ledger = new InMemoryRequestLedger(TimeProvider.System, new RequestLedgerOptions { Capacity = 4096, BufferCapacity = 8192 });
        Chooser = new VersionChooser(new TokenRegistry([new ApiToken("admin", "bench-operator-token", TokenRole.Operator)]));
        var versions = new Dictionary<int, AgentVersion> { [1] = Version(1, "http://127.0.0.1:9001"), [2] = Version(2, "http://127.0.0.1:9002") };
        var now = DateTimeOffset.UtcNow;
        var record = new AgentRecord
        {
            Name = AgentName,
            Generation = 7,
            Definition = AgentDefinition.Default,
            State = new ReleaseState { Stable = 1, Canary = 2, CanaryPercent = 50, StableSince = now },
            CreatedAt = now,
            UpdatedAt = now,
        };
        Route = AgentRouteBuilder.Build(new AgentSnapshot(record, versions), Recorder);
        Routing = new RoutingState();
        Routing.Publish(new RoutingTable(new Dictionary<string, AgentRoute> { [ProxyIds.EntryRoute(AgentName)] = Route }.ToFrozenDictionary(StringComparer.Ordinal)));

        var unrouted = new ClusterState(ProxyIds.UnroutedCluster);
        _entryRoute = new RouteModel(new RouteConfig { RouteId = ProxyIds.EntryRoute(AgentName), ClusterId = ProxyIds.UnroutedCluster }, unrouted, HttpTransformer.Default);
        ProxyState = new FakeProxyState();
        foreach (var version in versions.Values)
        {
            var clusterId = BackendCluster.Of(version).Id;
            var clusterConfig = new ClusterConfig
            {
                ClusterId = clusterId,
                Destinations = new Dictionary<string, DestinationConfig> { ["d0"] = new() { Address = version.Destinations()[0] } },
            };
            var cluster = new ClusterState(clusterId, new ClusterModel(clusterConfig, new HttpMessageInvoker(new SocketsHttpHandler())));
            var destination = new DestinationState("d0");
            cluster.DestinationsState = new ClusterDestinationsState([destination], [destination]);
            foreach (var role in ProxyIds.Roles)
            {
                ProxyState.Add(new RouteModel(new RouteConfig { RouteId = ProxyIds.VersionRoute(AgentName, version.Number, role), ClusterId = clusterId }, cluster, HttpTransformer.Default), cluster);
            }
        }

        foreach (var target in new[] { Route.Stable!, Route.Canary! })
        {
            // Lazily created metric children exist after the first request of a version: create them now.
            _ = (target.Success, target.Error, target.Duration, target.Cost, target.InputTokens, target.OutputTokens);
        }
    }

    public SignalRecorder Recorder { get; }
    public InMemoryRequestLedger Ledger { get; }
    public VersionChooser Chooser { get; }
    public RoutingState Routing { get; }
    public AgentRoute Route { get; }
    public FakeProxyState ProxyState { get; }

    /// <summary>The next sticky key, round-robin over 1,024 sessions (about half of them on the canary).</summary>
    public string NextSession() => _sessions[_next++ & 1023];

    /// <summary>
    /// A request as Kestrel + YARP's routing hand it to the agent middleware: GET on the agent's entry route with an
    /// X-Session-Id, no X-Request-Id (so the gateway generates one, as for most clients), and YARP's proxy feature.
    /// </summary>
    public DefaultHttpContext NewContext()
    {
        var context = new DefaultHttpContext();
        var request = context.Request;
        request.Method = HttpMethods.Get;
        request.Scheme = "http";
        request.Host = new HostString("127.0.0.1", 8080);
        request.Path = "/agents/support-bot/v1/chat/completions";
        request.Headers[RollgateHeaders.SessionId] = NextSession();
        request.Headers.Accept = "application/json";
        context.Features.Set<IReverseProxyFeature>(new ReverseProxyFeature
        {
            Route = _entryRoute,
            Cluster = null!,
            AllDestinations = [],
            AvailableDestinations = [],
        });
        return context;
    }

    /// <summary>What YARP's forwarder does on a 200 from the backend, minus the network: the response transform's
    /// headers (as RollgateResponseTransforms adds them), then the body written in one chunk.</summary>
    /// <param name="captureUsage">Whether the response transform starts a <see cref="UsageCaptureStream"/> (signals on).</param>
    public static RequestDelegate Forwarder(bool completesAsynchronously, bool captureUsage) => completesAsynchronously
        ? async context =>
        {
            await Task.Yield(); // a real forward completes later, on another thread: the middleware's state machine is boxed
            await WriteResponseAsync(context, captureUsage);
        }
        : context => WriteResponseAsync(context, captureUsage);

    private static Task WriteResponseAsync(HttpContext context, bool captureUsage)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json";
        response.ContentLength = ResponseBody.Length;
        response.Headers[RollgateHeaders.Version] = context.Request.Headers[RollgateHeaders.Version];
        response.Headers[RollgateHeaders.RequestId] = context.Request.Headers[RollgateHeaders.RequestId];
        if (captureUsage && UsageCaptureStream.For(response) is { } capture)
        {
            response.Body = capture;
        }

        var write = response.Body.WriteAsync(ResponseBody);
        return write.IsCompletedSuccessfully ? Task.CompletedTask : write.AsTask();
    }

    private static AgentVersion Version(int number, string destination)
    {
        using var model = JsonDocument.Parse("""{"provider":"openai","name":"gpt-4o-2024-11-20","pricing":{"inputPerMTok":2.5,"outputPerMTok":10}}""");
        using var backend = JsonDocument.Parse($$"""{"destinations":["{{destination}}"]}""");
        return new AgentVersion
        {
            Number = number,
            Hash = "sha256:" + new string((char)('a' + number), 64),
            ComponentHashes = new Dictionary<string, string>(),
            CreatedAt = DateTimeOffset.UtcNow,
            CreatedBy = "bench",
            Model = model.RootElement.Clone(),
            Backend = backend.RootElement.Clone(),
        };
    }
}

/// <summary>IProxyStateLookup over fixed RouteModel/ClusterState objects (YARP's own implementation reads its config snapshot).</summary>
internal sealed class FakeProxyState : IProxyStateLookup
{
    private readonly Dictionary<string, RouteModel> _routes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ClusterState> _clusters = new(StringComparer.Ordinal);

    public void Add(RouteModel route, ClusterState cluster)
    {
        _routes[route.Config.RouteId] = route;
        _clusters[cluster.ClusterId] = cluster;
    }

    public bool TryGetRoute(string id, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out RouteModel route) => _routes.TryGetValue(id, out route);

    public IEnumerable<RouteModel> GetRoutes() => _routes.Values;

    public bool TryGetCluster(string id, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out ClusterState cluster) => _clusters.TryGetValue(id, out cluster);

    public IEnumerable<ClusterState> GetClusters() => _clusters.Values;
}
