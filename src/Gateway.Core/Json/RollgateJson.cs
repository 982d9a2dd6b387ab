using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rollgate.Json;

/// <summary>The one set of serializer options used for the API, the stores and the wire between replicas.</summary>
public static class RollgateJson
{
    public static readonly JsonSerializerOptions Options = Create(indented: false);

    /// <summary>
    /// Strict variant for operator input: unknown or duplicate members, wrongly cased names and nulls the types do not
    /// allow are errors, so a typo never passes silently.
    /// </summary>
    public static readonly JsonSerializerOptions Strict = CreateStrict();

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            WriteIndented = indented,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            NumberHandling = JsonNumberHandling.Strict,
        };
        options.Converters.Add(new DurationConverter());
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private static JsonSerializerOptions CreateStrict()
    {
        var options = new JsonSerializerOptions(Create(indented: false))
        {
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            PropertyNameCaseInsensitive = false,
            RespectNullableAnnotations = true,
            AllowDuplicateProperties = false,
            AllowTrailingCommas = false,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
