using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rollgate.Json;

/// <summary>The one set of serializer options used for the API, the stores and the wire between replicas.</summary>
public static class RollgateJson
{
    public static readonly JsonSerializerOptions Options = Create(indented: false);

    /// <summary>Strict variant for operator input: unknown members are errors, so typos never pass silently.</summary>
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
            AllowTrailingCommas = false,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
