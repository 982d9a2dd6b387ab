using System.Collections.Frozen;
using System.Reflection;

namespace Rollgate.Admin.WebConsole;

/// <summary>
/// The console's files, embedded in this assembly under the resource prefix <c>console/</c> (see the project file), so
/// the gateway serves them without a build step, a content folder or anything fetched at run time.
/// </summary>
internal static class ConsoleAssets
{
    private const string ResourcePrefix = "console/";

    public static readonly FrozenDictionary<string, ConsoleAsset> All = Load();

    private static FrozenDictionary<string, ConsoleAsset> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var assets = new Dictionary<string, ConsoleAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var path = name[ResourcePrefix.Length..].Replace('\\', '/');
            assets[path] = new ConsoleAsset(path, Read(assembly, name));
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
