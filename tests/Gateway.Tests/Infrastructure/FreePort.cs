using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Rollgate.Tests.Infrastructure;

/// <summary>
/// A loopback TCP port that was free a moment ago (the OS picks it, so parallel tests do not collide). The OS may
/// offer a port again as soon as it is closed, so a port is handed out once per test run: two calls in a row (a
/// gateway's proxy and admin listeners) never get the same one.
/// </summary>
public static class FreePort
{
    private static readonly ConcurrentDictionary<int, bool> HandedOut = new();

    public static int Get()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (HandedOut.TryAdd(port, true))
            {
                return port;
            }
        }
    }
}
