namespace Rollgate.Rules;

/// <summary>
/// One token of a rule. <paramref name="Start"/> is the 0-based offset in the original text. For <see cref="RuleTokenKind.Number"/>
/// tokens <paramref name="Text"/> holds the digits and <paramref name="Unit"/> the suffix written directly after them (may be empty).
/// </summary>
internal readonly record struct RuleToken(RuleTokenKind Kind, int Start, string Text, string Unit)
{
    /// <summary>1-based character position, as reported to users.</summary>
    public int Position => Start + 1;

    public bool IsWord(string keyword)
        => Kind == RuleTokenKind.Word && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

    public bool HasUnit(string unit)
        => Kind == RuleTokenKind.Number && string.Equals(Unit, unit, StringComparison.OrdinalIgnoreCase);

    /// <summary>A number with no decimal point, so it can be read as an integer.</summary>
    public bool IsWholeNumber => Kind == RuleTokenKind.Number && !Text.Contains('.');
}
