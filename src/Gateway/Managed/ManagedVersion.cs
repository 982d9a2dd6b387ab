using System.Text;
using System.Text.Json;
using Rollgate.Json;
using Rollgate.Routing;
using Rollgate.Versions;

namespace Rollgate.Managed;

/// <summary>
/// What a managed agent's version applies to each chat request, read once from the version: the models to call in
/// order (its own, then its fallbacks), the prompt's messages and the tools as ready-made JSON, the model settings,
/// the guardrails with their expressions compiled, and how long a model may stay silent. Immutable.
/// </summary>
public sealed class ManagedVersion
{
    private ManagedVersion(AgentVersion version, TimeSpan defaultTimeout)
    {
        var model = version.Model is { } m ? m.Deserialize<ModelSpec>(RollgateJson.Strict) : null;
        Guardrails = GuardrailRules.Read(version.Guardrails);
        PromptMessages = PromptOf(version.Prompt);
        Timeout = BackendCluster.Of(version).Timeout ?? defaultTimeout;
        if (model?.Name is not { } name || model.Endpoint is not { } endpoint)
        {
            // Refused for a version created for a managed agent; one created while the agent was passthrough gets here.
            Models = [];
            return;
        }

        var models = new List<ManagedModel> { new(name, endpoint, model.ApiKeyEnv, model.Pricing ?? ModelPricing.Free) };
        foreach (var fallback in model.Fallbacks ?? [])
        {
            // A fallback on the same provider names only another model: endpoint and key default to the version's own.
            models.Add(new ManagedModel(fallback.Name, fallback.Endpoint ?? endpoint, fallback.ApiKeyEnv ?? model.ApiKeyEnv, fallback.Pricing ?? ModelPricing.Free));
        }

        Models = models;
        Temperature = model.Temperature;
        MaxTokens = model.MaxTokens;
        Stop = model.Stop is { Count: > 0 } stop ? JsonSerializer.SerializeToUtf8Bytes(stop) : null;
        var (setsTools, tools, toolNames, toolEntries) = ToolsOf(version.Tools);
        SetsTools = setsTools;
        Tools = tools;
        ToolNames = toolNames;
        ToolEntries = toolEntries;
    }

    /// <summary>The version's own model first, then its fallbacks in order; empty when the version names no model to call.</summary>
    public IReadOnlyList<ManagedModel> Models { get; }

    public double? Temperature { get; }

    public int? MaxTokens { get; }

    /// <summary><c>stop</c> as a JSON array, or null when the version sets none.</summary>
    public byte[]? Stop { get; }

    /// <summary>The system message and the few-shot messages, each one JSON object, put before the client's messages.</summary>
    public IReadOnlyList<byte[]> PromptMessages { get; }

    /// <summary>True when the version has a <c>tools</c> component: it decides the tools, and the client's are not sent.</summary>
    public bool SetsTools { get; }

    /// <summary>The version's tools in the OpenAI function-tool format, or null when it has none to send.</summary>
    public byte[]? Tools { get; }

    /// <summary>Each tool's name, in order: a tool whose circuit is open is left out of what the model is sent.</summary>
    public IReadOnlyList<string> ToolNames { get; } = [];

    /// <summary>Each tool alone in the function-tool format, for a list written without the withheld ones.</summary>
    public IReadOnlyList<byte[]> ToolEntries { get; } = [];

    public GuardrailRules Guardrails { get; }

    /// <summary>How long a model may stay silent: for its response headers, and between two reads of its body.</summary>
    public TimeSpan Timeout { get; }

    public static ManagedVersion Build(AgentVersion version, TimeSpan defaultTimeout) => new(version, defaultTimeout);

    private static IReadOnlyList<byte[]> PromptOf(JsonElement? prompt)
    {
        var messages = new List<byte[]>();
        if (prompt is not { ValueKind: JsonValueKind.Object } p)
        {
            return messages;
        }

        if (p.TryGetProperty("system", out var system) && system.ValueKind == JsonValueKind.String)
        {
            messages.Add(JsonSerializer.SerializeToUtf8Bytes(new { role = "system", content = system.GetString() }));
        }

        if (p.TryGetProperty("fewShot", out var fewShot) && fewShot.ValueKind == JsonValueKind.Array)
        {
            messages.AddRange(fewShot.EnumerateArray().Select(message => Encoding.UTF8.GetBytes(message.GetRawText())));
        }

        return messages;
    }

    private static (bool Sets, byte[]? Json, string[] Names, byte[][] Entries) ToolsOf(JsonElement? tools)
    {
        if (tools is not { ValueKind: JsonValueKind.Array } list)
        {
            return (false, null, [], []);
        }

        if (list.GetArrayLength() == 0)
        {
            return (true, null, [], []); // OpenAI refuses an empty list: no tools at all is said by leaving it out
        }

        var names = new List<string>();
        var entries = new List<byte[]>();
        foreach (var tool in list.EnumerateArray())
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("type", "function");
                writer.WriteStartObject("function");
                foreach (var property in tool.EnumerateObject())
                {
                    // name, description and parameters: the same names in both formats.
                    property.WriteTo(writer);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            names.Add(tool.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString()! : "");
            entries.Add(buffer.ToArray());
        }

        var all = new byte[entries.Sum(e => e.Length) + entries.Count + 1];
        var position = 0;
        all[position++] = (byte)'[';
        for (var i = 0; i < entries.Count; i++)
        {
            if (i > 0)
            {
                all[position++] = (byte)',';
            }

            entries[i].CopyTo(all, position);
            position += entries[i].Length;
        }

        all[position] = (byte)']';
        return (true, all, [.. names], [.. entries]);
    }
}
