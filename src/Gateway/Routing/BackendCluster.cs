using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Rollgate.Json;
using Rollgate.Versions;

namespace Rollgate.Routing;

/// <summary>
/// The YARP cluster a version's requests go to: one per distinct backend (its destinations and its timeout), shared by
/// every version and every agent that calls that backend. Versions of an agent usually call the same model server
/// with a new prompt, so a new version usually adds no cluster and needs no YARP reload; and the connections and load
/// balancing of one backend are not split between versions.
/// </summary>
/// <param name="Id">Derived from the backend alone, so equal backends meet in one cluster.</param>
/// <param name="Timeout">The version's own <c>backend.timeout</c>; null for the gateway's default.</param>
public sealed record BackendCluster(string Id, IReadOnlyList<string> Destinations, TimeSpan? Timeout)
{
    public const string IdPrefix = "backend:";

    public static BackendCluster Of(AgentVersion version)
    {
        var destinations = version.Destinations();
        var timeout = TimeoutOf(version.Backend);
        return new BackendCluster(IdOf(destinations, timeout), destinations, timeout);
    }

    /// <summary>
    /// A digest of the backend rather than its text: destinations can be long, and the data path looks the cluster up
    /// by id on every request.
    /// </summary>
    private static string IdOf(IReadOnlyList<string> destinations, TimeSpan? timeout)
    {
        var text = new StringBuilder();
        text.Append(timeout is { } t ? t.Ticks : -1);
        foreach (var destination in destinations)
        {
            text.Append('\n').Append(destination);
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()), digest);
        return IdPrefix + Convert.ToHexStringLower(digest[..12]);
    }

    /// <summary>A version may bound how long its backend may stay silent (<c>backend.timeout</c>, e.g. "30s").</summary>
    private static TimeSpan? TimeoutOf(JsonElement? backend)
        => backend is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty("timeout", out var t) && t.ValueKind == JsonValueKind.String
           && Duration.TryParse(t.GetString(), out var value) && value > TimeSpan.Zero
            ? value
            : null;
}
