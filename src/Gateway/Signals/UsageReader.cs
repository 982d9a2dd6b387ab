using System.Text.Json;

namespace Rollgate.Signals;

/// <summary>
/// Reads token usage from an OpenAI- or Anthropic-style JSON document: the top-level <c>usage</c> object's
/// <c>prompt_tokens</c>/<c>completion_tokens</c> or <c>input_tokens</c>/<c>output_tokens</c>. Never throws.
/// </summary>
public static class UsageReader
{
    public static bool TryRead(ReadOnlySpan<byte> json, out long inputTokens, out long outputTokens)
    {
        inputTokens = 0;
        outputTokens = 0;
        if (json.IndexOf("\"usage\""u8) < 0)
        {
            return false; // most bodies have no usage: skip parsing them
        }

        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isUsage = reader.ValueTextEquals("usage"u8);
                if (!reader.Read())
                {
                    return false;
                }

                if (isUsage && reader.TokenType == JsonTokenType.StartObject)
                {
                    return ReadUsageObject(ref reader, out inputTokens, out outputTokens);
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON, or cut short: no usage.
        }

        return false;
    }

    private static bool ReadUsageObject(ref Utf8JsonReader reader, out long input, out long output)
    {
        input = 0;
        output = 0;
        var found = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var kind = reader.ValueTextEquals("prompt_tokens"u8) || reader.ValueTextEquals("input_tokens"u8) ? 1
                : reader.ValueTextEquals("completion_tokens"u8) || reader.ValueTextEquals("output_tokens"u8) ? 2
                : 0;
            reader.Read();
            if (kind != 0 && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value >= 0)
            {
                found = true;
                if (kind == 1) input = value;
                else output = value;
            }
            else
            {
                reader.Skip();
            }
        }

        return found;
    }
}
