using System.Text.Json;

namespace Rollgate.Versions;

/// <summary>Per-component comparison of two versions: <c>same</c>, or <c>changed</c> with the JSON paths that differ.</summary>
public sealed record ComponentDiff(string Status, IReadOnlyList<string>? Changed);

public static class VersionDiff
{
    public static IReadOnlyDictionary<string, ComponentDiff> Compare(AgentVersion a, AgentVersion b)
    {
        var result = new SortedDictionary<string, ComponentDiff>(StringComparer.Ordinal);
        foreach (var component in VersionComponents.All)
        {
            if (a.ComponentHashes.TryGetValue(component, out var ha) && b.ComponentHashes.TryGetValue(component, out var hb) && ha == hb)
            {
                result[component] = new ComponentDiff("same", null);
                continue;
            }

            var changed = new List<string>();
            Walk(a.Component(component), b.Component(component), component, changed);
            result[component] = changed.Count == 0 ? new ComponentDiff("same", null) : new ComponentDiff("changed", changed);
        }

        return result;
    }

    private static void Walk(JsonElement? left, JsonElement? right, string path, List<string> changed)
    {
        var l = left ?? default;
        var r = right ?? default;
        if (l.ValueKind == JsonValueKind.Object && r.ValueKind == JsonValueKind.Object)
        {
            var names = l.EnumerateObject().Select(p => p.Name).Union(r.EnumerateObject().Select(p => p.Name)).Order(StringComparer.Ordinal);
            foreach (var name in names)
            {
                JsonElement? lv = l.TryGetProperty(name, out var x) ? x : null;
                JsonElement? rv = r.TryGetProperty(name, out var y) ? y : null;
                Walk(lv, rv, $"{path}.{name}", changed);
            }

            return;
        }

        if (l.ValueKind == JsonValueKind.Array && r.ValueKind == JsonValueKind.Array && l.GetArrayLength() == r.GetArrayLength())
        {
            var index = 0;
            foreach (var (li, ri) in l.EnumerateArray().Zip(r.EnumerateArray()))
            {
                Walk(li, ri, $"{path}[{index++}]", changed);
            }

            return;
        }

        var same = (l.ValueKind, r.ValueKind) switch
        {
            (JsonValueKind.Undefined, JsonValueKind.Undefined) => true,
            (JsonValueKind.Undefined, _) or (_, JsonValueKind.Undefined) => false,
            _ => JsonElement.DeepEquals(l, r),
        };
        if (!same)
        {
            changed.Add(path);
        }
    }
}
