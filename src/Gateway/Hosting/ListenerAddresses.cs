using System.Net;
using System.Net.Sockets;

namespace Rollgate.Hosting;

/// <summary>
/// Checks the listener URLs before anything starts: each must be an http(s) URL of a host and port, and its address
/// must be free to bind. A port in use then stops start-up with one line naming the setting, before background
/// services start and before Kestrel would fail with a stack trace in the host's log.
/// </summary>
public static class ListenerAddresses
{
    /// <summary>What <see cref="TryGetPort"/> accepts, in words.</summary>
    public const string UrlRule = "must be an http URL of a host and port, such as http://0.0.0.0:8080";

    /// <returns>Whether <paramref name="url"/> is an http(s) URL of a host and port, and which port.</returns>
    public static bool TryGetPort(string? url, out int port)
    {
        port = 0;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/" || uri.Query.Length > 0)
        {
            return false;
        }

        port = uri.Port;
        return true;
    }

    /// <summary>Binds and releases the address once; a listener elsewhere on it fails the bind.</summary>
    public static void EnsureFree(string setting, string url)
    {
        var uri = new Uri(url);
        var address = uri.Host switch
        {
            "0.0.0.0" or "*" or "+" => IPAddress.Any,
            "localhost" => IPAddress.Loopback,
            var host when IPAddress.TryParse(host.Trim('[', ']'), out var parsed) => parsed,
            _ => null, // a host name: Kestrel decides how to bind it and reports a failure itself
        };
        if (address is null)
        {
            return;
        }

        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, uri.Port));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw StartupException.Unavailable($"{setting} '{url}': the address is already in use by another process", ex);
        }
        catch (SocketException ex)
        {
            throw StartupException.Unavailable($"{setting} '{url}' cannot be bound: {ex.Message}", ex);
        }
    }
}
