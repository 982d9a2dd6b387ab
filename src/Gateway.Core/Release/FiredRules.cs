namespace Rollgate.Release;

/// <summary>
/// The rules that already acted on one subject of the rule evaluator (a canary, or a stable during or after its bake),
/// committed in the same change as the action. Whichever replica evaluates next reads them with the state, so a
/// controller that dies right after acting, or a lease that moves, never makes a rule act twice.
/// </summary>
/// <param name="Subject">The subject's key; marks of an earlier subject no longer count.</param>
/// <param name="Rules">Rule texts, in the order they fired.</param>
public sealed record FiredRules(string Subject, IReadOnlyList<string> Rules)
{
    public bool Contains(string subject, string rule) => Subject == subject && Rules.Contains(rule, StringComparer.Ordinal);

    /// <summary>Marks <paramref name="rule"/> as fired on <paramref name="subject"/>, dropping the marks of any earlier subject.</summary>
    public static FiredRules Add(FiredRules? fired, string subject, string rule)
    {
        if (fired is null || fired.Subject != subject)
        {
            return new FiredRules(subject, [rule]);
        }

        return fired.Contains(subject, rule) ? fired : fired with { Rules = [.. fired.Rules, rule] };
    }
}
