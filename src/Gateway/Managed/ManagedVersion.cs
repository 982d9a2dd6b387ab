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
        (SetsTools, Tools) = ToolsOf(version.Tools);
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

    private static (bool Sets, byte[]? Json) ToolsOf(JsonElement? tools)
    {
        if (tools is not { ValueKind: JsonValueKind.Array } list)
        {
            return (false, null);
        }

        if (list.GetArrayLength() == 0)
        {
            return (true, null); // OpenAI refuses an empty list: no tools at all is said by leaving it out
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var tool in list.EnumerateArray())
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

            writer.WriteEndArray();
        }

        return (true, buffer.ToArray());
    }
}
