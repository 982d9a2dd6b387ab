namespace Rollgate.Rules;

/// <summary>Lexical classes of the rule language.</summary>
internal enum RuleTokenKind
{
    /// <summary>End of input; its position is one past the last character, so errors there point just after the rule.</summary>
    End,

    /// <summary>An ASCII identifier or keyword: <c>[A-Za-z_][A-Za-z0-9_]*</c>.</summary>
    Word,

    /// <summary>A decimal number with an optional unit glued to it: <c>15%</c>, <c>300ms</c>, <c>1.5x</c>, <c>.5</c>.</summary>
    Number,

    /// <summary><c>&gt;</c>, <c>&gt;=</c>, <c>&lt;</c> or <c>&lt;=</c>.</summary>
    Comparator,

    /// <summary>Any other single character; never valid, but kept so the error can point at it.</summary>
    Other,
}
