using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rollgate.Json;

/// <summary>Reads and writes durations in the operator's notation: <c>250ms</c>, <c>30s</c>, <c>10m</c>, <c>1h</c>.</summary>
public sealed class DurationConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("expected a duration string such as \"30s\", \"10m\" or \"1h\"");
        }

        var text = reader.GetString()!;
        return Duration.TryParse(text, out var value)
            ? value
            : throw new JsonException($"'{text}' is not a duration such as \"30s\", \"10m\" or \"1h\"");
    }

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options)
        => writer.WriteStringValue(Duration.Format(value));
}

/// <summary>
/// The duration notation shared by config, JSON and the rule language. Days (<c>30d</c>) are read but written as hours,
/// so that a replica of an earlier release, which knows no days, still reads what this one stores.
/// </summary>
public static class Duration
{
    public static bool TryParse(ReadOnlySpan<char> text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }

        if (digits == 0 || !long.TryParse(text[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        var unit = text[digits..];
        long? ms = unit switch
        {
            "ms" => amount,
            "s" => amount * 1000,
            "m" => amount * 60_000,
            "h" => amount * 3_600_000,
            "d" => amount * 86_400_000,
            _ => null,
        };
        // The longest duration is 100,000,000 hours in any unit: far beyond any use, and well within a TimeSpan.
        if (ms is null || amount > 100_000_000 || ms > 100_000_000L * 3_600_000)
        {
            return false;
        }

        value = TimeSpan.FromMilliseconds(ms.Value);
        return true;
    }

    public static string Format(TimeSpan value)
    {
        var ms = (long)value.TotalMilliseconds;
        if (ms != 0 && ms % 3_600_000 == 0) return $"{ms / 3_600_000}h";
        if (ms != 0 && ms % 60_000 == 0) return $"{ms / 60_000}m";
        if (ms % 1000 == 0) return $"{ms / 1000}s";
        return $"{ms}ms";
    }
}
