using System.Text.Json;
using Rollgate.Agents;
using Rollgate.Release;
using Rollgate.Routing;
using Rollgate.Versions;

namespace Rollgate.Tests.Routing;

/// <summary>Agents and versions as the release synchroniser holds them, for tests of what it builds from them.</summary>
internal static class RoutingSnapshots
{
    public static AgentSnapshot Agent(string name, params AgentVersion[] versions) => Agent(name, AgentDefinition.Default, versions);

    public static AgentSnapshot Agent(string name, AgentDefinition definition, params AgentVersion[] versions)
    {
        var now = DateTimeOffset.UnixEpoch;
        var record = new AgentRecord
        {
            Name = name,
            Generation = 1,
            Definition = definition,
            State = new ReleaseState { Stable = versions.Length > 0 ? versions[0].Number : null },
            CreatedAt = now,
            UpdatedAt = now,
        };
        return new AgentSnapshot(record, versions.ToDictionary(v => v.Number));
    }

    /// <summary>A version on <paramref name="destinations"/>; the hash stands for its content (the same content, the same hash).</summary>
    public static AgentVersion Version(int number, string[] destinations, string? timeout = null, string content = "")
    {
        var backend = JsonSerializer.SerializeToElement(timeout is null ? new { destinations } : (object)new { destinations, timeout });
        return new AgentVersion
        {
            Number = number,
            Hash = $"sha256:{number}:{string.Join(',', destinations)}:{timeout}:{content}",
            ComponentHashes = new Dictionary<string, string>(),
            CreatedAt = DateTimeOffset.UnixEpoch,
            CreatedBy = "test",
            Backend = backend,
        };
    }

    public static AgentVersion Version(int number, string destination = "http://127.0.0.1:9001") => Version(number, [destination]);
}
