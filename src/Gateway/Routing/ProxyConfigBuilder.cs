using System.Text;
using System.Text.Json;
using Rollgate.Json;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Rollgate.Routing;

/// <summary>
/// YARP routes and clusters for all agents: one entry route per agent (what clients hit) and, per version, one
/// cluster plus a never-matching route per role (stable, canary, preview) that carries the version's headers. Only adding versions or changing an agent's paths needs a YARP reload; moving
/// traffic between versions never does.
/// </summary>
public sealed class ProxyConfigBuilder(TimeSpan defaultBackendTimeout)
{
    /// <summary>
    /// Header values as UTF-8 toward backends and from them. Kestrel decodes request header values as UTF-8, so a
    /// client's non-ASCII value reaches the backend byte for byte (HttpClient's default, ASCII only, refuses it).
    /// </summary>
    private static readonly HttpClientConfig Client = new() { RequestHeaderEncoding = "utf-8", ResponseHeaderEncoding = "utf-8" };

    /// <summary>A per-process secret header value: version routes exist for reassignment only, never for matching.</summary>
    private static readonly string NeverMatch = Guid.NewGuid().ToString("N");

    public (IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters, string Signature) Build(IEnumerable<AgentSnapshot> agents)
    {
        var routes = new List<RouteConfig>();
        var clusters = new List<ClusterConfig> { new() { ClusterId = ProxyIds.UnroutedCluster } };
        var signature = new StringBuilder();
        foreach (var agent in agents.OrderBy(a => a.Record.Name, StringComparer.Ordinal))
        {
            var name = agent.Record.Name;
            var definition = agent.Record.Definition;
            var prefix = definition.EffectivePathPrefix(name);
            routes.Add(new RouteConfig
            {
                RouteId = ProxyIds.EntryRoute(name),
                ClusterId = ProxyIds.UnroutedCluster,
                Match = new RouteMatch { Path = $"{prefix}/{{**{RestOfPathTransform.Parameter}}}", Hosts = definition.Hosts.Count > 0 ? definition.Hosts.ToArray() : null },
                Metadata = new Dictionary<string, string> { [ProxyIds.AgentMetadataKey] = name },
            });
            signature.Append(name).Append('|').Append(prefix).Append('|').AppendJoin(',', definition.Hosts).Append('\n');

            foreach (var version in agent.Versions.Values.OrderBy(v => v.Number))
            {
                var destinations = version.Destinations();
                var timeout = BackendTimeout(version.Backend) ?? defaultBackendTimeout;
                foreach (var role in ProxyIds.Roles)
                {
                    routes.Add(new RouteConfig
                    {
                        RouteId = ProxyIds.VersionRoute(name, version.Number, role),
                        ClusterId = ProxyIds.VersionCluster(name, version.Number),
                        Match = new RouteMatch
                        {
                            Path = $"/__rollgate/version/{name}/{version.Number}/{ProxyIds.RoleName(role)}",
                            Headers = [new RouteHeader { Name = "X-Rollgate-Never", Values = [NeverMatch], Mode = HeaderMatchMode.ExactHeader }],
                        },
                        Metadata = new Dictionary<string, string>
                        {
                            [ProxyIds.AgentMetadataKey] = name,
                            [ProxyIds.VersionMetadataKey] = version.Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
                            [ProxyIds.HashMetadataKey] = version.Hash,
                            [ProxyIds.RoleMetadataKey] = ProxyIds.RoleName(role),
                        },
                    });
                }

                clusters.Add(new ClusterConfig
                {
                    ClusterId = ProxyIds.VersionCluster(name, version.Number),
                    Destinations = destinations.Select((d, i) => (d, i)).ToDictionary(x => $"d{x.i}", x => new DestinationConfig { Address = x.d }),
                    HttpRequest = new ForwarderRequestConfig { ActivityTimeout = timeout },
                    HttpClient = Client,
                });
                // The hash too: a reset store can hold another version under the same number (its routes carry the hash).
                signature.Append(' ').Append(version.Number).Append('#').Append(version.Hash).Append('>').AppendJoin(',', destinations)
                    .Append('@').Append(timeout.TotalMilliseconds).Append('\n');
            }
        }

        return (routes, clusters, signature.ToString());
    }

    /// <summary>A version may bound how long its backend may stay silent (<c>backend.timeout</c>, e.g. "30s").</summary>
    private static TimeSpan? BackendTimeout(JsonElement? backend)
        => backend is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty("timeout", out var t) && t.ValueKind == JsonValueKind.String
           && Duration.TryParse(t.GetString(), out var value) && value > TimeSpan.Zero
            ? value
            : null;
}
