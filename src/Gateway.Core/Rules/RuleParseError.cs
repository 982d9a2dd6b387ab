namespace Rollgate.Rules;

/// <summary>
/// Why a rule was refused: the rule text, the 1-based character <paramref name="Position"/> of the offending token
/// (text length + 1 when the rule ended too early) and what was <paramref name="Expected"/> there.
/// </summary>
public sealed record RuleParseError(string Rule, int Position, string Expected)
{
    /// <summary>The whole error for an operator, e.g. <c>rule 'pause when': at position 11: expected a metric (…)</c>.</summary>
    public string Message => $"rule '{Rule}': at position {Position}: {Expected}";

    public override string ToString() => Message;
}
