using System.Text.Json;

namespace Rollgate.Versions;

/// <summary>Turns a manifest into the content of a new version: copies what <c>basedOn</c> supplies, then hashes.</summary>
public static class VersionComposer
{
    public static AgentVersion Compose(VersionManifest manifest, AgentVersion? basedOn, int number, DateTimeOffset now, string createdBy)
    {
        JsonElement? Pick(string component) => manifest.Component(component) ?? basedOn?.Component(component);

        var draft = new AgentVersion
        {
            Number = number,
            Hash = "",
            ComponentHashes = new Dictionary<string, string>(),
            CreatedAt = now,
            CreatedBy = createdBy,
            BasedOn = manifest.BasedOn,
            Notes = manifest.Notes,
            Prompt = Pick(VersionComponents.Prompt),
            Model = Pick(VersionComponents.Model),
            Tools = Pick(VersionComponents.Tools),
            Guardrails = Pick(VersionComponents.Guardrails),
            Knowledge = Pick(VersionComponents.Knowledge),
            Backend = Pick(VersionComponents.Backend),
        };
        var (hash, componentHashes) = HashContent(draft);
        return draft with { Hash = hash, ComponentHashes = componentHashes };
    }

    /// <summary>Hash of the behaviour-deciding content only: notes and provenance do not make a new version.</summary>
    public static (string Hash, IReadOnlyDictionary<string, string> ComponentHashes) HashContent(AgentVersion version)
    {
        var componentHashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var component in VersionComponents.All.Order(StringComparer.Ordinal))
            {
                var value = version.Component(component);
                writer.WritePropertyName(component);
                CanonicalJson.Write(writer, value);
                componentHashes[component] = CanonicalJson.Hash(value);
            }

            writer.WriteEndObject();
        }

        return (CanonicalJson.HashBytes(buffer.ToArray()), componentHashes);
    }
}
