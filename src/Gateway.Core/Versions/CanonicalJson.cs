using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Rollgate.Versions;

/// <summary>
/// Canonical JSON for content hashing: object members sorted by ordinal name, no insignificant whitespace,
/// numbers in their shortest round-trip form, so the same content always hashes the same.
/// </summary>
public static class CanonicalJson
{
    public static byte[] Serialize(JsonElement? element)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, SkipValidation = false }))
        {
            Write(writer, element);
        }

        return buffer.ToArray();
    }

    public static string Hash(JsonElement? element) => HashBytes(Serialize(element));

    public static string HashBytes(ReadOnlySpan<byte> canonical) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(canonical));

    public static void Write(Utf8JsonWriter writer, JsonElement? element)
    {
        if (element is not { } e || e.ValueKind == JsonValueKind.Undefined)
        {
            writer.WriteNullValue();
            return;
        }

        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in e.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in e.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.Number:
                if (e.TryGetInt64(out var integer))
                {
                    writer.WriteNumberValue(integer);
                }
                else
                {
                    writer.WriteRawValue(e.GetDouble().ToString("R", CultureInfo.InvariantCulture));
                }

                break;
            default:
                e.WriteTo(writer);
                break;
        }
    }
}
