using System.Net;
using System.Net.Sockets;

namespace Rollgate.Tests.Notifications;

/// <summary>
/// A listener that never accepts: the kernel completes connections into its backlog, so a request is sent and
/// then waits forever for an answer — the slow receiver that only a timeout ends.
/// </summary>
internal sealed class BlackHoleEndpoint : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);

    public BlackHoleEndpoint()
    {
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/hook";
    }

    public string Url { get; }

    /// <summary>A loopback URL where nothing listens, so connections are refused at once.</summary>
    public static string DeadUrl()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}/hook";
    }

    public void Dispose() => _listener.Stop();
}
