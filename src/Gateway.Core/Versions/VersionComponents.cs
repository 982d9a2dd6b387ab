using System.Text.Json;

namespace Rollgate.Versions;

/// <summary>The parts of an agent version that decide its behaviour; each is hashed and diffed on its own.</summary>
public static class VersionComponents
{
    public const string Prompt = "prompt";
    public const string Model = "model";
    public const string Tools = "tools";
    public const string Guardrails = "guardrails";
    public const string Knowledge = "knowledge";
    public const string Backend = "backend";

    public static readonly IReadOnlyList<string> All = [Prompt, Model, Tools, Guardrails, Knowledge, Backend];

    /// <summary>The named component of a manifest or a version.</summary>
    public static JsonElement? Get(this IVersionComponents source, string name) => name switch
    {
        Prompt => source.Prompt,
        Model => source.Model,
        Tools => source.Tools,
        Guardrails => source.Guardrails,
        Knowledge => source.Knowledge,
        Backend => source.Backend,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a version component"),
    };
}

/// <summary>The six behaviour-deciding components, shared by a manifest (some may be missing) and a version.</summary>
public interface IVersionComponents
{
    JsonElement? Prompt { get; }
    JsonElement? Model { get; }
    JsonElement? Tools { get; }
    JsonElement? Guardrails { get; }
    JsonElement? Knowledge { get; }
    JsonElement? Backend { get; }
}
