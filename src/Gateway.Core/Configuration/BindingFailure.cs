using System.Text.RegularExpressions;

namespace Rollgate.Configuration;

/// <summary>
/// Words a value the configuration binder could not convert the way every other setting failure is worded: the key,
/// the value and what is expected, never a .NET type name.
/// </summary>
public static partial class BindingFailure
{
    /// <returns>The failure, or null when <paramref name="error"/> is not the binder refusing a value.</returns>
    public static string? Describe(InvalidOperationException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var refusal = Refusal().Match(error.Message);
        if (!refusal.Success)
        {
            return null;
        }

        var expected = refusal.Groups["type"].Value switch
        {
            // The duration converter says what it expects itself (see DurationTypeConverter).
            _ when error.InnerException is FormatException format => format.Message,
            "System.TimeSpan" or "System.Nullable`1[System.TimeSpan]" => "is not a duration such as 500ms, 5s or 10m",
            var type when type.StartsWith("System.Int", StringComparison.Ordinal) || type.StartsWith("System.UInt", StringComparison.Ordinal)
                => "is not a whole number",
            "System.Boolean" => "is not true or false",
            _ => "is not a valid value",
        };
        return $"{refusal.Groups["key"].Value} '{refusal.Groups["value"].Value}' {expected}";
    }

    [GeneratedRegex("value '(?<value>.*)' at '(?<key>[^']+)' to type '(?<type>[^']+)'", RegexOptions.Singleline)]
    private static partial Regex Refusal();
}
