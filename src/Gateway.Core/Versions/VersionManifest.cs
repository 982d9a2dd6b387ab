using System.Text.Json;

namespace Rollgate.Versions;

/// <summary>The body of <c>POST /admin/agents/{agent}/versions</c>: components not given are copied from <see cref="BasedOn"/>.</summary>
public sealed record VersionManifest : IVersionComponents
{
    public int? BasedOn { get; init; }
    public JsonElement? Prompt { get; init; }
    public JsonElement? Model { get; init; }
    public JsonElement? Tools { get; init; }
    public JsonElement? Guardrails { get; init; }
    public JsonElement? Knowledge { get; init; }
    public JsonElement? Backend { get; init; }
    public string? Notes { get; init; }

    public JsonElement? Component(string name) => this.Get(name);
}
