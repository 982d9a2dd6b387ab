using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rollgate.Versions;

/// <summary>An immutable, numbered snapshot of everything that decides an agent's behaviour.</summary>
public sealed record AgentVersion : IVersionComponents
{
    public required int Number { get; init; }
    /// <summary><c>sha256:</c> of the canonical JSON of all components together.</summary>
    public required string Hash { get; init; }
    public required IReadOnlyDictionary<string, string> ComponentHashes { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required string CreatedBy { get; init; }
    public int? BasedOn { get; init; }
    public string? Notes { get; init; }
    public JsonElement? Prompt { get; init; }
    public JsonElement? Model { get; init; }
    public JsonElement? Tools { get; init; }
    public JsonElement? Guardrails { get; init; }
    public JsonElement? Knowledge { get; init; }
    public JsonElement? Backend { get; init; }

    public JsonElement? Component(string name) => this.Get(name);

    /// <summary>The backend destinations this version is served by (empty when it has none).</summary>
    public IReadOnlyList<string> Destinations()
    {
        if (Backend is { ValueKind: JsonValueKind.Object } backend
            && backend.TryGetProperty("destinations", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            return list.EnumerateArray().Where(d => d.ValueKind == JsonValueKind.String).Select(d => d.GetString()!).ToArray();
        }

        return [];
    }

    /// <summary>USD per million input and output tokens, from <c>model.pricing</c>; zero when not priced.</summary>
    public ModelPricing Pricing()
    {
        if (Model is { ValueKind: JsonValueKind.Object } model
            && model.TryGetProperty("pricing", out var pricing) && pricing.ValueKind == JsonValueKind.Object)
        {
            return new ModelPricing(Number(pricing, "inputPerMTok"), Number(pricing, "outputPerMTok"));
        }

        return ModelPricing.Free;

        static double Number(JsonElement e, string name)
            => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : 0;
    }
}

/// <summary><c>model.pricing</c>: both sides are required, since one left out would price its tokens at nothing.</summary>
public readonly record struct ModelPricing([property: JsonRequired] double InputPerMTok, [property: JsonRequired] double OutputPerMTok)
{
    public static readonly ModelPricing Free = new(0, 0);

    public double Cost(long inputTokens, long outputTokens)
        => (inputTokens * InputPerMTok + outputTokens * OutputPerMTok) / 1_000_000d;
}
