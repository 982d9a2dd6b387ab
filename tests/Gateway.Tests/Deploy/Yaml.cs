using YamlDotNet.RepresentationModel;

namespace Rollgate.Tests.Deploy;

/// <summary>Reading the YAML files of deploy/ as plain trees.</summary>
public static class Yaml
{
    /// <summary>The first document of a file.</summary>
    public static YamlNode Load(string path) => LoadAll(path).Single();

    /// <summary>Every document of a file (Kubernetes manifests hold several, separated by <c>---</c>).</summary>
    public static IReadOnlyList<YamlNode> LoadAll(string path)
    {
        using var reader = new StreamReader(path);
        var stream = new YamlStream();
        stream.Load(reader);
        return [.. stream.Documents.Select(d => d.RootNode)];
    }

    public static string String(YamlNode node) => ((YamlScalarNode)node).Value!;

    public static string[] Strings(YamlNode node) => [.. ((YamlSequenceNode)node).Children.Select(String)];

    /// <summary>The child <paramref name="key"/> of a mapping, or null.</summary>
    public static YamlNode? Get(this YamlNode node, string key)
        => node is YamlMappingNode mapping && mapping.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    public static IEnumerable<YamlNode> Items(this YamlNode? node) => node is YamlSequenceNode sequence ? sequence.Children : [];
}
