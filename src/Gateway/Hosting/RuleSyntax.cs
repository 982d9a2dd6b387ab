using Rollgate.Rules;

namespace Rollgate.Hosting;

/// <summary>Rule validation used when a definition is saved: the parser's message, naming rule, position and expectation.</summary>
public static class RuleSyntax
{
    public static string? Check(string rule)
    {
        var result = RuleParser.Parse(rule);
        return result.Succeeded ? null : result.Error!.Message;
    }
}
