namespace Rollgate.Validation;

/// <summary>
/// Field names for validation problems: the JSON path without the leading <c>$.</c> (<c>model.pricing.inputPerMTok</c>,
/// <c>rules[2]</c>), member names that are not plain identifiers in brackets (<c>headers['x.y']</c>), and <c>$</c> for the body.
/// </summary>
public static class JsonPath
{
    /// <summary>Longer member names are cut in paths and messages: the start is enough to find them.</summary>
    public const int MaxNameLength = 100;

    public static string Member(string parent, string name)
    {
        var plain = name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');
        name = Shorten(name);
        if (plain)
        {
            return parent.Length == 0 ? name : $"{parent}.{name}";
        }

        return $"{parent}['{name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)}']";
    }

    public static string Shorten(string name)
    {
        if (name.Length <= MaxNameLength)
        {
            return name;
        }

        // Never split a surrogate pair: half of one could not be written into the problem.
        var cut = char.IsHighSurrogate(name[MaxNameLength - 1]) ? MaxNameLength - 1 : MaxNameLength;
        return name[..cut] + "…";
    }

    public static string Index(string parent, int index) => $"{parent}[{index}]";

    /// <summary>The field a problem is reported under: the path, or <c>$</c> for the whole body.</summary>
    public static string Field(string path) => path.Length == 0 ? "$" : path;

    /// <summary>Joins a serializer path (<c>$.a.b</c>, <c>$['a']</c>) onto <paramref name="parent"/>.</summary>
    public static string Append(string parent, string? serializerPath)
    {
        var tail = (serializerPath ?? "$")[1..];
        return parent.Length == 0 ? tail.TrimStart('.') : parent + tail;
    }

    /// <summary>Serializer messages end with where in the text the problem is; the field already says where.</summary>
    public static string WithoutPosition(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        return cut > 0 ? message[..cut] : message;
    }
}
