using System.Text.Json;
using Rollgate.Release;
using Rollgate.Versions;

namespace Rollgate.Admin.Views;

/// <summary>
/// A version as the admin API shows it: the immutable snapshot, plus <c>rolledBack</c>, which is a fact about the
/// agent's release history rather than about the snapshot, so it is kept in the release state and added here.
/// </summary>
public sealed record VersionView(
    int Number,
    string Hash,
    IReadOnlyDictionary<string, string> ComponentHashes,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    int? BasedOn,
    string? Notes,
    JsonElement? Prompt,
    JsonElement? Model,
    JsonElement? Tools,
    JsonElement? Guardrails,
    JsonElement? Knowledge,
    JsonElement? Backend,
    bool RolledBack)
{
    public static VersionView Of(AgentVersion version, ReleaseState? state) => new(
        version.Number,
        version.Hash,
        version.ComponentHashes,
        version.CreatedAt,
        version.CreatedBy,
        version.BasedOn,
        version.Notes,
        version.Prompt,
        version.Model,
        version.Tools,
        version.Guardrails,
        version.Knowledge,
        version.Backend,
        state?.IsRolledBackFrom(version.Number) ?? false);
}
