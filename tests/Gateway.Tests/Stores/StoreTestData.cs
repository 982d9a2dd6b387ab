using Rollgate.Tools;
using System.Text.Json;
using Rollgate.Agents;
using Rollgate.Json;
using Rollgate.Release;
using Rollgate.Versions;

namespace Rollgate.Tests.Stores;

/// <summary>Builders for the records, events and versions the store tests commit.</summary>
internal static class StoreTestData
{
    public static readonly DateTimeOffset Now = new(2025, 2, 18, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Unique per call, so tests sharing a Redis never see each other's agents.</summary>
    public static string NewAgentName(string stem = "agent") => $"{stem}-{Guid.NewGuid():N}";

    public static AgentRecord Record(string agent, long generation, int? stable = null, double canaryPercent = 0) => new()
    {
        Name = agent,
        Generation = generation,
        Definition = AgentDefinition.Default with { Rules = ["rollback when error_rate > 15% for 2m"], BakeTime = TimeSpan.FromMinutes(30) },
        State = ReleaseState.Empty with
        {
            Stable = stable,
            CanaryPercent = canaryPercent,
            StableSince = stable is null ? null : Now,
            KnownGood = stable is null ? [] : [stable.Value],
        },
        CreatedAt = Now,
        UpdatedAt = Now.AddSeconds(generation),
    };

    public static HistoryEvent Event(long generation, string type = HistoryEventTypes.Deploy, string? detail = null) => new()
    {
        Id = HistoryEvent.NewId(Now.AddSeconds(generation)) + Guid.NewGuid().ToString("N")[..6],
        At = Now.AddSeconds(generation),
        Type = type,
        Actor = "test",
        To = (int)generation,
        Generation = generation,
        Detail = detail ?? $"change {generation}",
        Evidence = JsonDocument.Parse("""{"rule":"rollback when error_rate > 15%","subject":{"requests":120,"value":0.2}}""").RootElement.Clone(),
    };

    public static VersionManifest Manifest(string systemPrompt) => JsonSerializer.Deserialize<VersionManifest>(
        $$"""
        {
          "prompt": { "system": {{JsonSerializer.Serialize(systemPrompt)}}, "fewShot": [] },
          "model": { "provider": "openai", "name": "gpt-4o-2024-11-20", "temperature": 0.2,
                     "pricing": { "inputPerMTok": 2.5, "outputPerMTok": 10 } },
          "tools": [ { "name": "refund", "description": "refunds an order", "parameters": { } } ],
          "backend": { "destinations": ["http://127.0.0.1:9001"] },
          "notes": "test version"
        }
        """, RollgateJson.Options)!;

    /// <summary>A version's content hash and the factory the store calls with the number it assigns.</summary>
    public static (string Hash, Func<int, AgentVersion> Create) Version(string systemPrompt)
    {
        var manifest = Manifest(systemPrompt);
        var hash = VersionComposer.Compose(manifest, null, 0, Now, "test").Hash;
        return (hash, number => VersionComposer.Compose(manifest, null, number, Now, "test"));
    }

    /// <summary>Records hold lists, which compare by reference; their JSON compares by content.</summary>
    public static ToolRecord Tool(string name, long generation, string endpoint) => new()
    {
        Name = name,
        Generation = generation,
        Definition = new ToolDefinition { Endpoint = endpoint, Timeout = TimeSpan.FromSeconds(2), Breaker = new ToolBreaker { MinimumThroughput = 4 } },
        CreatedAt = Now,
        UpdatedAt = Now.AddSeconds(generation),
    };

    public static string ToJson<T>(T value) => JsonSerializer.Serialize(value, RollgateJson.Options);
}
