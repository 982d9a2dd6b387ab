namespace Rollgate.Rules;

/// <summary>Evaluation and rendering of <see cref="Comparator"/>.</summary>
public static class ComparatorExtensions
{
    /// <summary>
    /// Applies the comparison <c>value ⋚ threshold</c>. A NaN on either side (no data) is never true, so it never fires a rule.
    /// </summary>
    public static bool Evaluate(this Comparator comparator, double value, double threshold) => comparator switch
    {
        Comparator.GreaterThan => value > threshold,
        Comparator.GreaterOrEqual => value >= threshold,
        Comparator.LessThan => value < threshold,
        Comparator.LessOrEqual => value <= threshold,
        _ => throw new ArgumentOutOfRangeException(nameof(comparator), comparator, null),
    };

    /// <summary>The symbol as written in the rule language, e.g. <c>&gt;=</c>.</summary>
    public static string ToSymbol(this Comparator comparator) => comparator switch
    {
        Comparator.GreaterThan => ">",
        Comparator.GreaterOrEqual => ">=",
        Comparator.LessThan => "<",
        Comparator.LessOrEqual => "<=",
        _ => throw new ArgumentOutOfRangeException(nameof(comparator), comparator, null),
    };

    /// <summary>Lookup of a comparator symbol.</summary>
    public static bool TryParse(string? text, out Comparator comparator)
    {
        (var found, comparator) = text switch
        {
            ">" => (true, Comparator.GreaterThan),
            ">=" => (true, Comparator.GreaterOrEqual),
            "<" => (true, Comparator.LessThan),
            "<=" => (true, Comparator.LessOrEqual),
            _ => (false, default),
        };
        return found;
    }
}
