using System.Diagnostics.CodeAnalysis;

namespace Rollgate.Versions;

/// <summary>One entry of <c>model.fallbacks</c>: another model to try, with its own endpoint, key and pricing.</summary>
public sealed record FallbackModelSpec
{
    public required string Name { get; init; }
    [DisallowNull] public string? Endpoint { get; init; }
    [DisallowNull] public string? ApiKeyEnv { get; init; }
    [DisallowNull] public ModelPricing? Pricing { get; init; }
}
