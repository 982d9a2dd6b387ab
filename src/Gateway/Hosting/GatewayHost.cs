using Rollgate.Evals;
using System.Text;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using Prometheus;
using Rollgate.Admin;
using Rollgate.Admin.Auth;
using Rollgate.Admin.WebConsole;
using Rollgate.Admin.Http;
using Rollgate.Admin.OpenApi;
using Rollgate.Admin.Views;
using Rollgate.Drills;
using Rollgate.Fleet;
using Rollgate.Managed;
using Rollgate.Notifications;
using Rollgate.Observability;
using Rollgate.Quality;
using Rollgate.Rules.Evaluation;
using Rollgate.Signals;
using Rollgate.Release;
using Rollgate.Routing;
using Rollgate.Security;
using Rollgate.Stores;
using Rollgate.Stores.File;
using Rollgate.Tools;
using Rollgate.Versions;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Rollgate.Hosting;

/// <summary>Composes the gateway: one process, a proxy listener (YARP) and an admin listener (API, metrics, health).</summary>
public static class GatewayHost
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Header values travel as UTF-8 both ways (see ProxyConfigBuilder): Kestrel reads request headers as UTF-8
            // already, and writing responses the same way lets a backend's or a client's non-ASCII value through.
            kestrel.ResponseHeaderEncodingSelector = static _ => Encoding.UTF8;
        });
        // Kestrel follows the runtime's socket scheduling (see SocketScheduling).
        builder.Services.Configure<SocketTransportOptions>(sockets => sockets.UnsafePreferInlineScheduling = SocketScheduling.Inline);
        // Per-request hosting diagnostics (an Activity and a logging scope per request) cost more than the rest of the
        // gateway's own per-request work; request figures come from the gateway's metrics instead.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        DefaultMetricsPolicy.Apply();
        WebhookMetrics.Publish();

        var services = builder.Services;
        services.AddGatewaySettings();
        services.AddSingleton(sp => ListenerPorts.Of(sp.GetRollgateOptions()));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new ReplicaIdentity(sp.GetRollgateOptions().ReplicaId));
        services.AddSingleton(sp => AdminTokens.Create(sp.GetRollgateOptions(), sp.GetRequiredService<ILogger<TokenRegistry>>()));
        services.AddRollgateStores();
        services.AddSingleton<SignalRecorder>();
        services.AddSingleton(sp => new FigureFlusher(sp.GetRequiredService<SignalRecorder>(), sp.GetRequiredService<IFigureStore>(),
            sp.GetRequiredService<IOptions<FigureFlusherOptions>>().Value, sp.GetRequiredService<ILogger<FigureFlusher>>()));
        services.AddHostedService<FigureFlusherService>();
        services.AddSingleton<RoutingState>();
        services.AddSingleton(sp => new ProxyConfigBuilder(sp.GetRollgateOptions().BackendTimeout));
        services.AddSingleton(sp => new ProxyLimits(sp.GetRollgateOptions().MaxRequestBodySize));
        services.AddSingleton<ModelClient>();
        services.AddSingleton(sp => new ModelCircuits(sp.GetRequiredService<IOptions<ModelCircuitOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ModelCircuits>>()));
        services.AddSingleton(sp => new ManagedChat(sp.GetRequiredService<ModelClient>(), sp.GetRequiredService<ModelCircuits>(),
            sp.GetRequiredService<ToolCircuits>(), new RequestRecorder(sp.GetRequiredService<IRequestLedger>()), sp.GetRollgateOptions().BackendTimeout,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ManagedChat>>(), sp.GetRequiredService<JudgeQueue>()));
        services.AddSingleton(sp => new JudgeQueue(sp.GetRequiredService<IOptions<QualityOptions>>().Value, sp.GetRequiredService<ModelCircuits>()));
        services.AddSingleton<JudgeBudget>();
        services.AddHostedService<JudgeWorker>();
        services.AddSingleton<ReleaseSynchronizer>();
        services.AddSingleton<IReleaseApplier>(sp => sp.GetRequiredService<ReleaseSynchronizer>());
        services.AddHostedService(sp => sp.GetRequiredService<ReleaseSynchronizer>());
        services.AddSingleton<ReleaseManager>();
        services.AddSingleton<ReleaseCommands>();
        services.AddSingleton<VersionService>();
        services.AddSingleton(sp => new ControllerOptions(sp.GetRollgateOptions().ReplicaId, sp.GetRollgateOptions().EvaluationInterval, sp.GetRollgateOptions().ControllerLease));
        services.AddSingleton<RolloutScheduler>();
        services.AddSingleton<IControllerTask, RolloutControllerTask>();
        services.AddSingleton<IDrillProbe, RoutingDrillProbe>();
        services.AddSingleton<DrillRunner>();
        services.AddSingleton<DrillScheduler>();
        services.AddWebhookNotifier();
        services.AddSingleton<IRuleFiringNotifier, WebhookFiringNotifier>();
        services.AddSingleton<RuleEvaluator>();
        services.AddSingleton<IControllerTask>(sp => sp.GetRequiredService<RuleEvaluator>());
        services.AddSingleton<ControllerLeadership>();
        services.AddSingleton<ToolCircuits>();
        services.AddSingleton<ToolCallers>();
        services.AddSingleton<ToolCatalog>();
        services.AddHostedService(sp => sp.GetRequiredService<ToolCatalog>());
        services.AddSingleton(sp => new CircuitReporter(sp.GetRequiredService<ToolCircuits>(), sp.GetRequiredService<ICircuitBoard>(),
            sp.GetRequiredService<ReplicaIdentity>().Id, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CircuitReporter>>()));
        services.AddHostedService(sp => sp.GetRequiredService<CircuitReporter>());
        services.AddHostedService<ToolProber>();
        services.AddSingleton<DegradationController>();
        services.AddSingleton<EvalJudge>();
        services.AddSingleton<IEvalRunner, DataPathEvalRunner>();
        services.AddSingleton<IControllerTask>(sp => sp.GetRequiredService<DegradationController>());
        services.AddHostedService(sp => sp.GetRequiredService<DegradationController>());
        // Last: a drill waits for the fleet twice, and rules and rollout steps should not wait behind it.
        services.AddSingleton<IControllerTask, DrillControllerTask>();
        services.AddHostedService<ControllerService>();
        services.AddSingleton<SeedLoader>();
        services.AddProblemDetails();
        services.AddRollgateOpenApi();
        services.AddExceptionHandler<StoreUnavailableHandler>();
        services.AddReverseProxy()
            .LoadFromMemory([], [])
            .AddTransforms<RollgateTransforms>()
            .AddVersionRoutes();
        services.AddSingleton<IForwarderHttpClientFactory, SharedHttpClientFactory>();
        configure?.Invoke(builder);

        var app = builder.Build();
        // Fail fast and clearly (bad settings, a port or the data directory in use, an unreadable token file) before
        // anything starts.
        GatewaySettings.ThrowIfInvalid(app.Services);
        var settings = app.Services.GetRollgateOptions();
        ListenerAddresses.EnsureFree("Rollgate:ProxyUrl", settings.ProxyUrl);
        ListenerAddresses.EnsureFree("Rollgate:AdminUrl", settings.AdminUrl);
        app.Urls.Add(settings.ProxyUrl);
        app.Urls.Add(settings.AdminUrl);
        try
        {
            app.Services.GetRequiredService<IRollgateStore>();
        }
        catch (DataDirInUseException ex)
        {
            throw StartupException.Unavailable(ex.Message, ex);
        }

        app.Services.GetRequiredService<TokenRegistry>();

        app.UseProxyListener(app.Services.GetRequiredService<ListenerPorts>().Proxy, proxy =>
        {
            // Stickiness is the gateway's own (per conversation, across versions) and versions have no passive health
            // checks, so of YARP's default pipeline only load balancing (over a version's destinations) is kept.
            proxy.UseMiddleware<AgentProxyMiddleware>();
            proxy.UseLoadBalancing();
        });

        // The admin listener: the exception handler turns store outages into 503 problems; errors the framework answers
        // without a body (405) get a problem body; /admin is authenticated before routing, so that neither unknown
        // paths nor wrong methods reveal routes to a caller without a token. Authorization is placed here explicitly,
        // else WebApplication would put it in front of both listeners.
        app.UseExceptionHandler();
        app.UseStatusCodeProblems();
        app.UseAdminAuthentication();
        app.UseRouting();
        app.UseAuthorization();
        app.UseNotFoundProblem();
        app.MapRollgateAdmin();
        app.MapRollgateOpenApi();
        app.MapApiReference();
        app.MapRollgateConsole();
        app.MapMetrics("/metrics");
        app.MapGet("/healthz", () => Results.Ok(new HealthView("alive")))
            .WithTags("Health").WithName("Alive").WithSummary("200 while the process runs; no token needed")
            .Produces<HealthView>();
        app.MapGet("/readyz", (RoutingState routing) => routing.Loaded
                ? Results.Ok(new HealthView("ready"))
                : Results.Json(new HealthView("loading"), statusCode: StatusCodes.Status503ServiceUnavailable))
            .WithTags("Health").WithName("Ready").WithSummary("200 once the release state was loaded from the store, else 503; no token needed")
            .Produces<HealthView>()
            .Produces<HealthView>(StatusCodes.Status503ServiceUnavailable);

        // After UseProxyListener (which maps YARP's routes), so YARP's config is live and seeded versions become routable
        // as they are applied.
        if (settings.Seed is { } seed)
        {
            try
            {
                app.Services.GetRequiredService<SeedLoader>().ApplyAsync(seed, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch
            {
                // A bad seed stops the start; the store (and the lock on its data directory) is released with the app.
                ((IDisposable)app).Dispose();
                throw;
            }
        }

        return app;
    }
}
