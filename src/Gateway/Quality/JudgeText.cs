using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Rollgate.Quality;

/// <summary>
/// The text of a judge call: the conversation and the answer read from a sample, the judge's request written from
/// them, and the score read from its answer. Runs on the judge worker only.
/// </summary>
public static class JudgeText
{
    /// <summary>Each of the conversation and the answer is cut to this many characters: a judge call costs what it is sent.</summary>
    public const int MaxChars = 32_000;

    private const string Instruction =
        "\n\nScore the assistant's answer at the end of the conversation against these instructions. "
        + "Reply with only a JSON object {\"score\": s}, where s is a number from 0 (worst) to 1 (best).";

    /// <summary>
    /// The client's conversation as <c>role: text</c> lines: a chat completion request's <c>messages</c>, or a responses
    /// request's <c>instructions</c> and <c>input</c> (text, or a list of messages); empty when the body has none.
    /// </summary>
    public static string Conversation(ReadOnlySpan<byte> request)
    {
        var text = new StringBuilder();
        try
        {
            var reader = new Utf8JsonReader(request);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return "";
            }

            if (root.TryGetProperty("messages"u8, out var messages) && messages.ValueKind == JsonValueKind.Array)
            {
                AppendMessages(text, messages);
            }
            else
            {
                if (root.TryGetProperty("instructions"u8, out var instructions) && instructions.ValueKind == JsonValueKind.String)
                {
                    text.Append("system: ").Append(instructions.GetString()).Append('\n');
                }

                if (root.TryGetProperty("input"u8, out var input) && input.ValueKind == JsonValueKind.String)
                {
                    text.Append("user: ").Append(input.GetString()).Append('\n');
                }
                else if (input.ValueKind == JsonValueKind.Array)
                {
                    AppendMessages(text, input);
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: nothing to show the judge but the answer.
        }

        return Cut(text.ToString());
    }

    /// <summary>
    /// The answer's text: a chat completion's first choice, or a response's output messages; for a stream, the text
    /// deltas of its events put together. Empty when it has none.
    /// </summary>
    public static string Answer(ReadOnlySpan<byte> answer, bool streamed)
    {
        var text = new StringBuilder();
        try
        {
            if (!streamed)
            {
                var reader = new Utf8JsonReader(answer);
                using var document = JsonDocument.ParseValue(ref reader);
                var root = document.RootElement;
                if (FirstChoice(root) is { } choice && choice.TryGetProperty("message"u8, out var message) && message.ValueKind == JsonValueKind.Object
                    && message.TryGetProperty("content"u8, out var content))
                {
                    text.Append(ContentText(content));
                }
                else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("output"u8, out var output) && output.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in output.EnumerateArray())
                    {
                        if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("type"u8, out var type) && type.ValueKind == JsonValueKind.String && type.ValueEquals("message"u8)
                            && item.TryGetProperty("content"u8, out var parts))
                        {
                            text.Append(ContentText(parts));
                        }
                    }
                }

                return Cut(text.ToString());
            }

            foreach (var line in Encoding.UTF8.GetString(answer).Split('\n'))
            {
                var data = line.TrimEnd('\r');
                if (!data.StartsWith("data:", StringComparison.Ordinal))
                {
                    continue;
                }

                data = data[5..].Trim();
                if (data.Length == 0 || data == "[DONE]")
                {
                    continue;
                }

                using var chunk = JsonDocument.Parse(data);
                var root = chunk.RootElement;
                if (FirstChoice(root) is { } choice && choice.TryGetProperty("delta"u8, out var delta) && delta.ValueKind == JsonValueKind.Object
                    && delta.TryGetProperty("content"u8, out var content) && content.ValueKind == JsonValueKind.String)
                {
                    text.Append(content.GetString());
                }
                else if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type"u8, out var type) && type.ValueKind == JsonValueKind.String && type.ValueEquals("response.output_text.delta"u8)
                         && root.TryGetProperty("delta"u8, out var textDelta) && textDelta.ValueKind == JsonValueKind.String)
                {
                    text.Append(textDelta.GetString());
                }
            }
        }
        catch (JsonException)
        {
            // An unreadable answer has no text to judge.
        }

        return Cut(text.ToString());
    }

    /// <summary>The judge's chat request: the rubric as its system message, the conversation and the answer as the user's.</summary>
    public static byte[] Request(QualityPlan plan, string conversation, string answer)
    {
        var buffer = new ArrayBufferWriter<byte>(4096 + conversation.Length + answer.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("model"u8, plan.Judge.NameJson);
            writer.WriteNumber("temperature"u8, 0);
            writer.WriteStartObject("response_format"u8);
            writer.WriteString("type"u8, "json_object"u8);
            writer.WriteEndObject();
            writer.WriteStartArray("messages"u8);
            writer.WriteStartObject();
            writer.WriteString("role"u8, "system"u8);
            writer.WriteString("content"u8, plan.Rubric + Instruction);
            writer.WriteEndObject();
            writer.WriteStartObject();
            writer.WriteString("role"u8, "user"u8);
            writer.WriteString("content"u8, "Conversation:\n" + conversation + "\nAnswer to score:\n" + answer);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The score in the judge's answer: its message must be exactly a JSON object with <c>score</c> from 0 to 1.</summary>
    public static bool TryReadScore(ReadOnlySpan<byte> judgeAnswer, out double score)
    {
        score = 0;
        try
        {
            var reader = new Utf8JsonReader(judgeAnswer);
            using var document = JsonDocument.ParseValue(ref reader);
            if (FirstChoice(document.RootElement) is not { } choice || !choice.TryGetProperty("message"u8, out var message) || message.ValueKind != JsonValueKind.Object
                || !message.TryGetProperty("content"u8, out var content) || content.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            using var verdict = JsonDocument.Parse(content.GetString()!);
            if (verdict.RootElement.ValueKind != JsonValueKind.Object || !verdict.RootElement.TryGetProperty("score"u8, out var value)
                || value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out score))
            {
                return false;
            }

            return score is >= 0 and <= 1;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Messages (<c>role</c>, <c>content</c>) as <c>role: text</c> lines; items that are not messages are passed over.</summary>
    private static void AppendMessages(StringBuilder text, JsonElement messages)
    {
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var role = message.TryGetProperty("role"u8, out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : "user";
            var content = message.TryGetProperty("content"u8, out var c) ? ContentText(c) : null;
            if (!string.IsNullOrEmpty(content))
            {
                text.Append(role).Append(": ").Append(content).Append('\n');
            }
        }
    }

    private static JsonElement? FirstChoice(JsonElement root)
        => root.ValueKind == JsonValueKind.Object && root.TryGetProperty("choices"u8, out var choices) && choices.ValueKind == JsonValueKind.Array
           && choices.GetArrayLength() > 0 && choices[0].ValueKind == JsonValueKind.Object
            ? choices[0]
            : null;

    /// <summary>A message's content: a string, or the text parts of a list of parts.</summary>
    private static string? ContentText(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString();
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text"u8, out var t) && t.ValueKind == JsonValueKind.String)
            {
                text.Append(t.GetString());
            }
        }

        return text.ToString();
    }

    private static string Cut(string text) => text.Length <= MaxChars ? text : text[..MaxChars];
}
