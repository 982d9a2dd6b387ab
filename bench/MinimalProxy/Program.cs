using Yarp.ReverseProxy.Configuration;

// Baseline proxy: one YARP route /agents/bench-bot/{**rest} -> one backend, rewritten to /{**rest}.
// Usage: MinimalProxy --urls http://127.0.0.1:PORT --Backend http://127.0.0.1:BACKEND_PORT
// Same host defaults as the gateway (WebApplication.CreateBuilder, no Server header), with logging off.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

var backend = builder.Configuration["Backend"] ?? throw new InvalidOperationException("--Backend http://host:port is required");
builder.Services.AddReverseProxy().LoadFromMemory(
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

var app = builder.Build();
app.MapReverseProxy();
app.Run();
