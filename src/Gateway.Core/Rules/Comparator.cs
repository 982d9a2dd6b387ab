namespace Rollgate.Rules;

/// <summary>The comparison in an absolute or baseline-ratio condition.</summary>
public enum Comparator
{
    GreaterThan,
    GreaterOrEqual,
    LessThan,
    LessOrEqual,
}
