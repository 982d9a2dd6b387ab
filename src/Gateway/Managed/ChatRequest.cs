using System.Buffers;
using System.Text.Json;
using Rollgate.Versions;

namespace Rollgate.Managed;

/// <summary>
/// A client's chat completion request, parsed once: checked to be one (a JSON object with a <c>messages</c> array of
/// objects), checked against the version's input guardrails, then written for each model tried with the version
/// applied (<see cref="Write"/>). Owns the parsed document until disposed.
/// </summary>
public sealed class ChatRequest : IDisposable
{
    private readonly JsonDocument _document;
    private readonly JsonElement _messages;
    private readonly bool _streamOptionsObject;

    private ChatRequest(JsonDocument document, JsonElement messages, bool stream, bool clientSetUsage, bool streamOptionsObject)
    {
        _document = document;
        _messages = messages;
        Stream = stream;
        _streamOptionsObject = streamOptionsObject;
        AddsUsage = stream && !clientSetUsage;
    }

    /// <summary><c>stream: true</c>: the answer is a stream of Server-Sent Events.</summary>
    public bool Stream { get; }

    /// <summary>
    /// The gateway asks the model for a usage event the client did not ask for (<c>stream_options.include_usage</c>),
    /// so it must not pass that event on.
    /// </summary>
    public bool AddsUsage { get; }

    /// <summary>Parses <paramref name="body"/>, which must stay unchanged while the request is used; null with the problem (field first, as in every 400) when it is not a chat request.</summary>
    public static ChatRequest? Parse(ReadOnlyMemory<byte> body, out string? problem)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            problem = $"the body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})";
            return null;
        }

        problem = Check(document.RootElement, out var messages, out var stream, out var clientSetUsage, out var streamOptionsObject);
        if (problem is not null)
        {
            document.Dispose();
            return null;
        }

        return new ChatRequest(document, messages, stream, clientSetUsage, streamOptionsObject);
    }

    /// <summary>The input guardrail the client's messages break (its rule name), or null.</summary>
    public string? BlockedBy(GuardrailRules rules)
    {
        if (!rules.ChecksInput)
        {
            return null;
        }

        long chars = 0;
        foreach (var message in _messages.EnumerateArray())
        {
            if (!message.TryGetProperty("content"u8, out var content))
            {
                continue;
            }

            if (content.ValueKind == JsonValueKind.String)
            {
                if (Check(rules, content.GetString()!, ref chars) is { } rule)
                {
                    return rule;
                }
            }
            else if (content.ValueKind == JsonValueKind.Array)
            {
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text"u8, out var text) && text.ValueKind == JsonValueKind.String
                        && Check(rules, text.GetString()!, ref chars) is { } rule)
                    {
                        return rule;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Writes the request <paramref name="model"/> is sent: the version's model, prompt messages before the client's,
    /// settings and tools (without those <paramref name="withheld"/> marks, when it is set); the client's other fields as
    /// they were; and the usage request of a stream.
    /// </summary>
    public void Write(IBufferWriter<byte> output, ManagedVersion version, ManagedModel model, bool[]? withheld = null)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        writer.WriteStartObject();
        writer.WriteString("model"u8, model.NameJson);
        writer.WritePropertyName("messages"u8);
        writer.WriteStartArray();
        foreach (var message in version.PromptMessages)
        {
            writer.WriteRawValue(message, skipInputValidation: true);
        }

        foreach (var message in _messages.EnumerateArray())
        {
            message.WriteTo(writer);
        }

        writer.WriteEndArray();
        if (version.Temperature is { } temperature)
        {
            writer.WriteNumber("temperature"u8, temperature);
        }

        if (version.MaxTokens is { } maxTokens)
        {
            writer.WriteNumber("max_tokens"u8, maxTokens);
        }

        if (version.Stop is { } stop)
        {
            writer.WritePropertyName("stop"u8);
            writer.WriteRawValue(stop, skipInputValidation: true);
        }

        if (withheld is null && version.Tools is { } tools)
        {
            writer.WritePropertyName("tools"u8);
            writer.WriteRawValue(tools, skipInputValidation: true);
        }
        else if (withheld is not null && Array.IndexOf(withheld, false) >= 0)
        {
            // OpenAI refuses an empty list, so with every tool withheld the member is left out.
            writer.WritePropertyName("tools"u8);
            writer.WriteStartArray();
            for (var i = 0; i < version.ToolEntries.Count; i++)
            {
                if (!withheld[i])
                {
                    writer.WriteRawValue(version.ToolEntries[i], skipInputValidation: true);
                }
            }

            writer.WriteEndArray();
        }

        foreach (var property in _document.RootElement.EnumerateObject())
        {
            if (property.NameEquals("model"u8) || property.NameEquals("messages"u8)
                || (version.Temperature is not null && property.NameEquals("temperature"u8))
                || (version.MaxTokens is not null && (property.NameEquals("max_tokens"u8) || property.NameEquals("max_completion_tokens"u8)))
                || (version.Stop is not null && property.NameEquals("stop"u8))
                || (version.SetsTools && property.NameEquals("tools"u8))
                || (AddsUsage && property.NameEquals("stream_options"u8)))
            {
                continue;
            }

            property.WriteTo(writer);
        }

        if (AddsUsage)
        {
            writer.WriteStartObject("stream_options"u8);
            if (_streamOptionsObject)
            {
                foreach (var option in _document.RootElement.GetProperty("stream_options"u8).EnumerateObject())
                {
                    option.WriteTo(writer);
                }
            }

            writer.WriteBoolean("include_usage"u8, true);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    public void Dispose() => _document.Dispose();

    private static string? Check(JsonElement root, out JsonElement messages, out bool stream, out bool clientSetUsage, out bool streamOptionsObject)
    {
        messages = default;
        stream = false;
        clientSetUsage = false;
        streamOptionsObject = false;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return "the body must be a JSON object: a chat completion request";
        }

        if (!root.TryGetProperty("messages"u8, out messages) || messages.ValueKind != JsonValueKind.Array)
        {
            return "messages: is required: an array of chat messages";
        }

        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object)
            {
                return $"messages[{index}]: must be a chat message object";
            }

            index++;
        }

        if (root.TryGetProperty("stream"u8, out var streamValue))
        {
            if (streamValue.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return "stream: must be true or false";
            }

            stream = streamValue.ValueKind == JsonValueKind.True;
        }

        if (root.TryGetProperty("stream_options"u8, out var options))
        {
            streamOptionsObject = options.ValueKind == JsonValueKind.Object;
            // Options the gateway cannot add to are the client's to get right: they go to the model as they are.
            clientSetUsage = !streamOptionsObject || options.TryGetProperty("include_usage"u8, out _);
        }

        return null;
    }

    private static string? Check(GuardrailRules rules, string text, ref long chars)
    {
        chars += text.Length;
        if (chars > rules.MaxChars)
        {
            return GuardrailRules.MaxCharsRule;
        }

        foreach (var rule in rules.InputDeny)
        {
            if (rule.Blocks(text))
            {
                return rule.Name;
            }
        }

        return null;
    }
}
