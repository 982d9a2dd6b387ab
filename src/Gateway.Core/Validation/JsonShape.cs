using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Rollgate.Validation;

/// <summary>
/// Checks operator JSON against the type it is about to be read into, collecting every problem under its JSON path:
/// members the type does not have (with the closest name it does have), nulls where the type allows none, missing
/// required members, and values of the wrong kind. The known members, their nullability and whether they are required
/// all come from the serializer's own metadata for the type, so the check cannot drift from what is read.
/// Members typed <see cref="JsonElement"/> or <see cref="JsonNode"/> are free-form: there only what could not be
/// stored, hashed and served back faithfully is refused (duplicate names, invalid text, numbers beyond a double,
/// nesting deeper than <see cref="MaxFreeFormDepth"/>).
/// </summary>
public static class JsonShape
{
    /// <summary>Free-form content is stored inside versions and listings, which nest it further; this keeps it well within the serializer's depth limit.</summary>
    public const int MaxFreeFormDepth = 32;

    private const string InvalidText = "is not valid text: it holds a lone surrogate or bytes that are not UTF-8";

    private const string OutOfRange = "is out of range: numbers must be within ±1.7e308";

    public static void Check(JsonElement value, Type type, JsonSerializerOptions options, string path, ValidationErrors errors)
        => CheckValue(value, type, nullable: false, options, path, errors);

    /// <summary>What a value of <paramref name="type"/> looks like to an operator, e.g. "an array of strings".</summary>
    public static string Expected(Type type, JsonSerializerOptions options) => Describe(type, options, plural: false);

    private static void CheckValue(JsonElement value, Type type, bool nullable, JsonSerializerOptions options, string path, ValidationErrors errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            if (!nullable)
            {
                errors.Add(JsonPath.Field(path), $"expected {Expected(type, options)}, not null");
            }

            return;
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsFreeForm(type))
        {
            var kind = type == typeof(JsonObject) ? JsonValueKind.Object : type == typeof(JsonArray) ? JsonValueKind.Array : JsonValueKind.Undefined;
            if (kind != JsonValueKind.Undefined && value.ValueKind != kind)
            {
                WrongKind(value, type, options, path, errors);
                return;
            }

            CheckFreeForm(value, path, depth: 1, errors);
            return;
        }

        var info = options.GetTypeInfo(type);
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object when value.ValueKind == JsonValueKind.Object:
                CheckObject(value, info, options, path, errors);
                break;
            case JsonTypeInfoKind.Enumerable when value.ValueKind == JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    // Element nullability is not in the metadata; no collection the gateway reads holds nulls.
                    CheckValue(item, info.ElementType!, nullable: false, options, JsonPath.Index(path, index++), errors);
                }

                break;
            case JsonTypeInfoKind.Dictionary when value.ValueKind == JsonValueKind.Object:
                foreach (var (name, member) in Members(value, path, errors))
                {
                    CheckValue(member, info.ElementType!, nullable: false, options, JsonPath.Member(path, name), errors);
                }

                break;
            case JsonTypeInfoKind.None:
                CheckScalar(value, type, options, path, errors);
                break;
            default:
                WrongKind(value, type, options, path, errors);
                break;
        }
    }

    private static void CheckObject(JsonElement value, JsonTypeInfo info, JsonSerializerOptions options, string path, ValidationErrors errors)
    {
        var comparison = options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var known = info.Properties.Where(p => p.Set is not null || p.AssociatedParameter is not null).ToArray();
        var seen = new HashSet<string>(StringComparer.FromComparison(comparison));
        foreach (var (name, member) in Members(value, path, errors))
        {
            seen.Add(name);
            var property = Array.Find(known, p => string.Equals(p.Name, name, comparison));
            if (property is null)
            {
                errors.Add(JsonPath.Member(path, name), Unknown(name, known));
                continue;
            }

            CheckValue(member, property.PropertyType, property.IsSetNullable, options, JsonPath.Member(path, name), errors);
        }

        foreach (var property in known.Where(p => p.IsRequired && !seen.Contains(p.Name)))
        {
            errors.Add(JsonPath.Member(path, property.Name), $"is required: {Expected(property.PropertyType, options)}");
        }
    }

    private static string Unknown(string name, JsonPropertyInfo[] known)
    {
        var names = known.Select(p => p.Name).ToArray();
        return ClosestName.Find(name, names) is { } closest
            ? $"unknown field '{JsonPath.Shorten(name)}'; did you mean '{closest}'?"
            : $"unknown field '{JsonPath.Shorten(name)}'; known fields: {string.Join(", ", names)}";
    }

    /// <summary>An object's members, with duplicates and names that are not valid text reported instead of returned.</summary>
    private static IEnumerable<(string Name, JsonElement Value)> Members(JsonElement value, string path, ValidationErrors errors)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            if (!JsonText.TryGetName(property, out var name))
            {
                errors.Add(JsonPath.Field(path), "has a member name that is not valid text (a lone surrogate or bytes that are not UTF-8)");
                continue;
            }

            if (!seen.Add(name))
            {
                errors.Add(JsonPath.Member(path, name), "appears more than once");
                continue;
            }

            yield return (name, property.Value);
        }
    }

    private static void CheckScalar(JsonElement value, Type type, JsonSerializerOptions options, string path, ValidationErrors errors)
    {
        var field = JsonPath.Field(path);
        if (type == typeof(string))
        {
            if (value.ValueKind != JsonValueKind.String)
            {
                WrongKind(value, type, options, path, errors);
            }
            else if (!JsonText.TryGetString(value, out _))
            {
                errors.Add(field, InvalidText);
            }
        }
        else if (type == typeof(bool))
        {
            if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                WrongKind(value, type, options, path, errors);
            }
        }
        else if (type == typeof(int) || type == typeof(long))
        {
            if (value.ValueKind != JsonValueKind.Number)
            {
                WrongKind(value, type, options, path, errors);
            }
            else if (type == typeof(int) ? !value.TryGetInt32(out _) : !value.TryGetInt64(out _))
            {
                var (min, max) = type == typeof(int) ? ((long)int.MinValue, (long)int.MaxValue) : (long.MinValue, long.MaxValue);
                errors.Add(field, $"expected an integer from {min} to {max}");
            }
        }
        else if (type == typeof(double))
        {
            if (value.ValueKind != JsonValueKind.Number)
            {
                WrongKind(value, type, options, path, errors);
            }
            else if (!value.TryGetDouble(out var number) || !double.IsFinite(number))
            {
                errors.Add(field, OutOfRange);
            }
        }
        else if (value.ValueKind == JsonValueKind.String && !JsonText.TryGetString(value, out _))
        {
            errors.Add(field, InvalidText);
        }
        else
        {
            // Types read by a converter of the gateway's own (durations): its message says what is expected.
            try
            {
                value.Deserialize(type, options);
            }
            catch (JsonException ex) when (ex.InnerException is null && options.Converters.Any(c => c.CanConvert(type) && IsOwn(c)))
            {
                errors.Add(field, JsonPath.WithoutPosition(ex.Message));
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or NotSupportedException)
            {
                errors.Add(field, $"expected {Expected(type, options)}");
            }
        }
    }

    private static void CheckFreeForm(JsonElement value, string path, int depth, ValidationErrors errors)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object or JsonValueKind.Array when depth > MaxFreeFormDepth:
                errors.Add(JsonPath.Field(path), $"nests deeper than {MaxFreeFormDepth} levels");
                break;
            case JsonValueKind.Object:
                foreach (var (name, member) in Members(value, path, errors))
                {
                    CheckFreeForm(member, JsonPath.Member(path, name), depth + 1, errors);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    CheckFreeForm(item, JsonPath.Index(path, index++), depth + 1, errors);
                }

                break;
            case JsonValueKind.String when !JsonText.TryGetString(value, out _):
                errors.Add(JsonPath.Field(path), InvalidText);
                break;
            case JsonValueKind.Number when !value.TryGetDouble(out var number) || !double.IsFinite(number):
                errors.Add(JsonPath.Field(path), OutOfRange);
                break;
        }
    }

    private static void WrongKind(JsonElement value, Type type, JsonSerializerOptions options, string path, ValidationErrors errors)
        => errors.Add(JsonPath.Field(path), $"expected {Expected(type, options)}, not {KindName(value.ValueKind)}");

    /// <summary>The gateway's own converters write messages for operators; the serializer's name .NET types.</summary>
    private static bool IsOwn(JsonConverter converter) => converter.GetType().Assembly == typeof(JsonShape).Assembly;

    private static bool IsFreeForm(Type type) => type == typeof(JsonElement) || typeof(JsonNode).IsAssignableFrom(type);

    private static string KindName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => "null",
    };

    private static string Describe(Type type, JsonSerializerOptions options, bool plural)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var (one, many) = type switch
        {
            _ when type == typeof(string) => ("a string", "strings"),
            _ when type == typeof(bool) => ("true or false", "true or false values"),
            _ when type == typeof(int) || type == typeof(long) => ("an integer", "integers"),
            _ when type == typeof(double) => ("a number", "numbers"),
            _ when type == typeof(TimeSpan) => ("a duration such as \"30s\", \"10m\" or \"1h\"", "durations such as \"30s\""),
            _ when type == typeof(JsonObject) => ("an object", "objects"),
            _ when type == typeof(JsonArray) => ("an array", "arrays"),
            _ when IsFreeForm(type) => ("any JSON value", "JSON values"),
            _ => options.GetTypeInfo(type) switch
            {
                { Kind: JsonTypeInfoKind.Enumerable, ElementType: { } element } => ($"an array of {Describe(element, options, plural: true)}", "arrays"),
                { Kind: JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary } => ("an object", "objects"),
                _ => ("a valid value", "valid values"),
            },
        };
        return plural ? many : one;
    }
}
