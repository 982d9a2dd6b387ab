namespace Rollgate.Tools;

/// <summary>The tool data path: <c>/tools/{tool}/{rest}</c> goes to <c>{endpoint}/{rest}</c>.</summary>
public static class ToolPath
{
    public const string Prefix = "/tools";

    /// <summary>Whether <paramref name="path"/> is <c>/tools</c> or under it (case-insensitive, like every route).</summary>
    public static bool IsToolPath(string path)
        => path.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && (path.Length == Prefix.Length || path[Prefix.Length] == '/');

    /// <summary>Splits a tool path into the tool's name and the rest (empty, or starting with '/').</summary>
    public static void Split(string path, out ReadOnlySpan<char> tool, out ReadOnlySpan<char> rest)
    {
        var afterPrefix = path.AsSpan(Math.Min(path.Length, Prefix.Length + 1));
        var slash = afterPrefix.IndexOf('/');
        tool = slash < 0 ? afterPrefix : afterPrefix[..slash];
        rest = slash < 0 ? [] : afterPrefix[slash..];
    }
}
