using System.Text.RegularExpressions;
using Rollgate.Json;

namespace Rollgate.Configuration;

/// <summary>
/// Words a value the configuration binder could not convert the way every other setting failure is worded: the key,
/// the value and what is expected, never a .NET type name.
/// </summary>
public static partial class BindingFailure
{
    private const string NullablePrefix = "System.Nullable`1[";

    /// <returns>The failure, or null when <paramref name="error"/> is not the binder refusing a value.</returns>
    public static string? Describe(InvalidOperationException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var refusal = Refusal().Match(error.Message);
        if (!refusal.Success)
        {
            return null;
        }

        var type = refusal.Groups["type"].Value;
        if (type.StartsWith(NullablePrefix, StringComparison.Ordinal))
        {
            type = type[NullablePrefix.Length..^1];
        }

        var expected = type switch
        {
            "System.TimeSpan" => DurationTypeConverter.Expected,
            "System.Int32" or "System.Int64" => "is not a whole number",
            "System.Boolean" => "is not true or false",
            _ => "is not a valid value",
        };
        return $"{refusal.Groups["key"].Value} '{refusal.Groups["value"].Value}' {expected}";
    }

    [GeneratedRegex("value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'", RegexOptions.Singleline)]
    private static partial Regex Refusal();
}
