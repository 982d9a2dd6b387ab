using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace Rollgate.Versions;

/// <summary>One entry of a version's <c>tools</c> (see <see cref="ModelSpec"/> for how these types are used).</summary>
public sealed record ToolSpec
{
    /// <summary>Required; checked with the other values so that every problem of a tools list is reported at once.</summary>
    [DisallowNull] public string? Name { get; init; }
    [DisallowNull] public string? Description { get; init; }
    /// <summary>The tool's JSON Schema: free-form, the gateway passes it on as written.</summary>
    [DisallowNull] public JsonObject? Parameters { get; init; }
}
