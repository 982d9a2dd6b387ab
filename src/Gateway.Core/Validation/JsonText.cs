using System.Text.Json;

namespace Rollgate.Validation;

/// <summary>
/// Reading strings out of parsed JSON that may not be valid text: the parser accepts a lone surrogate escape or bytes
/// that are not UTF-8 inside a string, and only reading the string fails.
/// </summary>
public static class JsonText
{
    public static bool TryGetString(JsonElement value, out string text) => TryRead(value.GetString, out text);

    public static bool TryGetName(JsonProperty property, out string name) => TryRead(() => property.Name, out name);

    private static bool TryRead(Func<string?> read, out string text)
    {
        try
        {
            text = read() ?? "";
            return true;
        }
        catch (InvalidOperationException)
        {
            text = "";
            return false;
        }
    }
}
