using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace Rollgate.Versions;

/// <summary>The <c>prompt</c> component of a version as the gateway reads it (see <see cref="ModelSpec"/> for how these types are used).</summary>
public sealed record PromptSpec
{
    [DisallowNull] public string? System { get; init; }
    /// <summary>Example messages put before the client's, each a chat message of the provider's own shape.</summary>
    [DisallowNull] public IReadOnlyList<JsonObject>? FewShot { get; init; }
    [DisallowNull] public string? Format { get; init; }
}
