using System.Text.RegularExpressions;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Deploy;

/// <summary>The metrics docs/metrics.md lists in its tables: what the gateway really exports, as the list grows.</summary>
public static partial class MetricsDoc
{
    public static IReadOnlyList<string> Names()
        => [.. File.ReadLines(Repository.Path("docs", "metrics.md"))
            .Select(line => TableRow().Match(line))
            .Where(row => row.Success)
            .Select(row => row.Groups["name"].Value)
            .Distinct()];

    [GeneratedRegex(@"^\| `(?<name>rollgate_[a-z0-9_]+)` \|")]
    private static partial Regex TableRow();
}
