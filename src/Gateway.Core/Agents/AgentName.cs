using System.Text.RegularExpressions;

namespace Rollgate.Agents;

/// <summary>Agent names are used in URLs, Redis keys, file names and metric labels, so they are kept to a safe alphabet.</summary>
public static partial class AgentName
{
    public const string Rule = "^[a-z0-9][a-z0-9-]{0,62}$";

    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    [GeneratedRegex(Rule, RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
