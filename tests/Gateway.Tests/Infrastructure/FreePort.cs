using System.Net;
using System.Net.Sockets;

namespace Rollgate.Tests.Infrastructure;

/// <summary>A loopback TCP port that was free a moment ago (the OS picks it, so parallel tests do not collide).</summary>
public static class FreePort
{
    public static int Get()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
