namespace Rollgate.Admin.Endpoints;

/// <summary>Checks rule texts when a definition is saved; returns the problem with a rule, or null when it is valid.</summary>
public sealed class AgentRules(Func<string, string?> check)
{
    public string? Check(string rule) => check(rule);
}
