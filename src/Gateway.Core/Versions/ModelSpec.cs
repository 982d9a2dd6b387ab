using System.Diagnostics.CodeAnalysis;

namespace Rollgate.Versions;

/// <summary>
/// The <c>model</c> component of a version as the gateway reads it. A version stores the component as written; this
/// type says which fields it may have (any other is refused) and is what the validator checks. Every field is
/// optional but never null: leaving a field out is the way to say "not set".
/// </summary>
public sealed record ModelSpec
{
    [DisallowNull] public string? Provider { get; init; }
    [DisallowNull] public string? Name { get; init; }
    [DisallowNull] public double? Temperature { get; init; }
    [DisallowNull] public int? MaxTokens { get; init; }
    [DisallowNull] public IReadOnlyList<string>? Stop { get; init; }
    /// <summary>Tried in order when the model endpoint fails.</summary>
    [DisallowNull] public IReadOnlyList<FallbackModelSpec>? Fallbacks { get; init; }
    [DisallowNull] public ModelPricing? Pricing { get; init; }
    /// <summary>The environment variable holding the provider key: a version never holds the key itself.</summary>
    [DisallowNull] public string? ApiKeyEnv { get; init; }
    [DisallowNull] public string? Endpoint { get; init; }
}
