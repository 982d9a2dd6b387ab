using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

// Baseline proxy: one YARP route /agents/bench-bot/{**rest} -> one backend, rewritten to /{**rest}.
// Usage: MinimalProxy --urls http://127.0.0.1:PORT --Backend http://127.0.0.1:BACKEND_PORT
// Same host defaults as the gateway (WebApplication.CreateBuilder, no Server header), with logging off.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

var backend = builder.Configuration["Backend"] ?? throw new InvalidOperationException("--Backend http://host:port is required");
var proxy = builder.Services.AddReverseProxy().LoadFromMemory(
    [
        new RouteConfig
        {
            RouteId = "bench-bot",
            ClusterId = "bench-bot",
            Match = new RouteMatch { Path = "/agents/bench-bot/{**rest}" },
            Transforms = [new Dictionary<string, string> { ["PathPattern"] = "/{**rest}" }],
        },
    ],
    [
        new ClusterConfig
        {
            ClusterId = "bench-bot",
            Destinations = new Dictionary<string, DestinationConfig> { ["d0"] = new() { Address = backend } },
        },
    ]);

// --SpecHeaders true: also the headers the gateway adds (four version headers and X-Request-Id
// toward the backend, X-Rollgate-Version and X-Request-Id toward the client), as constants. A diagnostic variant that
// shows what that header traffic alone costs; bench/proxy-throughput.sh always runs the plain proxy as its baseline.
// The names are the gateway's (RollgateHeaders), spelled out so that this baseline depends on YARP alone.
if (builder.Configuration.GetValue<bool>("SpecHeaders"))
{
    proxy.AddTransforms(context =>
    {
        context.AddRequestHeader("X-Rollgate-Agent", "bench-bot", append: false);
        context.AddRequestHeader("X-Rollgate-Version", "1", append: false);
        context.AddRequestHeader("X-Rollgate-Version-Hash", "sha256:" + new string('0', 64), append: false);
        context.AddRequestHeader("X-Rollgate-Role", "stable", append: false);
        context.AddRequestHeader("X-Request-Id", "5f0c6b8e2a9d4e7f8a1b2c3d4e5f6a7b", append: false);
        context.AddResponseHeader("X-Rollgate-Version", "1", append: false);
        context.AddResponseHeader("X-Request-Id", "5f0c6b8e2a9d4e7f8a1b2c3d4e5f6a7b", append: false);
    });
}

var app = builder.Build();
app.MapReverseProxy();
app.Run();
