namespace Rollgate.Rules;

/// <summary>Maps <see cref="RuleAction"/> to and from the keyword used in rule text, metric labels and JSON.</summary>
public static class RuleActionExtensions
{
    /// <summary>The keyword as written in the rule language, e.g. <c>rollback</c>.</summary>
    public static string ToRuleText(this RuleAction action) => action switch
    {
        RuleAction.Alert => "alert",
        RuleAction.Pause => "pause",
        RuleAction.Rollback => "rollback",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    /// <summary>Case-insensitive lookup of an action keyword.</summary>
    public static bool TryParse(string? text, out RuleAction action)
    {
        foreach (var candidate in Enum.GetValues<RuleAction>())
        {
            if (string.Equals(text, candidate.ToRuleText(), StringComparison.OrdinalIgnoreCase))
            {
                action = candidate;
                return true;
            }
        }

        action = default;
        return false;
    }
}
