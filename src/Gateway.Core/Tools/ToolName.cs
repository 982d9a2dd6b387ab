using Rollgate.Agents;

namespace Rollgate.Tools;

/// <summary>Tool names appear where agent names do (URLs, store keys, metric labels), so they follow the same rule.</summary>
public static class ToolName
{
    public const string Rule = AgentName.Rule;

    public static bool IsValid(string? name) => AgentName.IsValid(name);
}
