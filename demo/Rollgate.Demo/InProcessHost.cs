using System.Net;
using System.Net.Sockets;

namespace Rollgate.Demo;

/// <summary>A started in-process Kestrel app that is stopped (gracefully, bounded) and disposed with <c>await using</c>.</summary>
public sealed class InProcessHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessHost(WebApplication app) => _app = app;

    /// <summary>The first address the app listens on (with the real port once started on port 0).</summary>
    public string Url => _app.Urls.First();

    public static async Task<InProcessHost> StartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken);
            return new InProcessHost(app);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Keeps the host from installing its own Ctrl-C handler: the demo owns shutdown.</summary>
    public static void OwnShutdown(IServiceCollection services) => services.AddSingleton<IHostLifetime, DemoLifetime>();

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static HttpClient Client(string baseUrl, string? bearer = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(10) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token);
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }

    private sealed class DemoLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>The demo could not show what it promised (no rollback in time, an admin call refused).</summary>
public sealed class DemoFailure(string message) : Exception(message);
