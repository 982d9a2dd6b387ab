using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Rollgate.Rules;

/// <summary>
/// Recursive-descent parser for the rule language (docs/rules.md). It never throws: every problem, syntactic or semantic,
/// becomes a <see cref="RuleParseError"/> that names the 1-based position of the offending token and what was expected there.
/// The optional clauses (<c>over</c>, <c>for</c>, <c>min</c>, <c>with</c>) are accepted in any order, each at most once.
/// </summary>
public sealed class RuleParser
{
    private const string ExpectedAction = "expected an action (alert, pause or rollback)";
    private const string ExpectedCondition = "expected a comparator (>, >=, <, <=) or 'drops by'/'rises by'";
    private const string ExpectedValue = "expected a value such as 5%, 300ms, 2s or 0.03";
    private const string ExpectedPercentAfterBy = "expected a percentage such as 20% after 'by'";

    private static readonly string ExpectedMetric = BuildExpectedMetric();

    private static readonly string[] ClauseKeywords = ["over", "for", "min", "with"];

    private readonly string _text;
    private readonly RuleTokenizer _tokenizer;
    private RuleToken _current;
    private RuleParseError? _error;

    private RuleParser(string text)
    {
        _text = text;
        _tokenizer = new RuleTokenizer(text);
        _current = _tokenizer.Next();
    }

    /// <summary>Parses one rule. A null text is treated as empty.</summary>
    public static RuleParseResult Parse(string? text)
    {
        var parser = new RuleParser(text ?? string.Empty);
        return parser.TryParseRule(out var rule)
            ? RuleParseResult.Success(rule)
            : RuleParseResult.Failure(parser._error!); // every false return comes from Fail, which sets _error
    }

    private bool TryParseRule([NotNullWhen(true)] out Rule? rule)
    {
        rule = null;
        if (!TryParseAction(out var action)
            || !TryExpectWord("when", "expected 'when'")
            || !TryParseMetric(out var metric)
            || !TryParseCondition(metric, out var condition)
            || !TryParseAgainstPrevious(condition, out var previous)
            || !TryParseClauses(out var over, out var @for, out var minRequests, out var confidence))
        {
            return false;
        }

        rule = new Rule(_text, action, metric, condition, over, @for, minRequests, confidence) { AgainstPrevious = previous };
        return true;
    }

    /// <summary>The optional <c>against previous D</c> right after the condition: a baseline from the version's own past.</summary>
    private bool TryParseAgainstPrevious(RuleCondition condition, out TimeSpan? previous)
    {
        previous = null;
        var against = _current;
        if (!against.IsWord("against"))
        {
            return true;
        }

        if (!condition.IsRelative)
        {
            return Fail(against, "expected 'against previous' only after a relative condition ('drops by', 'rises by' or 'Nx baseline')");
        }

        Advance();
        if (!TryExpectWord("previous", "expected 'previous' after 'against'"))
        {
            return false;
        }

        var token = _current;
        if (!TryParseDuration("previous", out var duration))
        {
            return false;
        }

        if (duration <= TimeSpan.Zero)
        {
            return Fail(token, "expected a duration greater than 0 after 'previous'");
        }

        previous = duration;
        return true;
    }

    private bool TryParseAction(out RuleAction action)
    {
        action = default;
        return _current.Kind == RuleTokenKind.Word && RuleActionExtensions.TryParse(_current.Text, out action)
            ? Advance()
            : Fail(_current, ExpectedAction);
    }

    private bool TryParseMetric(out RuleMetric metric)
    {
        metric = default;
        return _current.Kind == RuleTokenKind.Word && RuleMetricExtensions.TryParse(_current.Text, out metric)
            ? Advance()
            : Fail(_current, ExpectedMetric);
    }

    private bool TryParseCondition(RuleMetric metric, [NotNullWhen(true)] out RuleCondition? condition)
    {
        condition = null;
        if (_current.Kind == RuleTokenKind.Comparator && ComparatorExtensions.TryParse(_current.Text, out var comparator))
        {
            Advance();
            return TryParseComparison(metric, comparator, out condition);
        }

        if (_current.IsWord("drops"))
        {
            return TryParseChange(ChangeDirection.Drops, out condition);
        }

        if (_current.IsWord("rises"))
        {
            return TryParseChange(ChangeDirection.Rises, out condition);
        }

        return Fail(_current, ExpectedCondition);
    }

    private bool TryParseChange(ChangeDirection direction, [NotNullWhen(true)] out RuleCondition? condition)
    {
        condition = null;
        var word = direction == ChangeDirection.Drops ? "drops" : "rises";
        Advance();
        if (!TryExpectWord("by", $"expected 'by' after '{word}'"))
        {
            return false;
        }

        var token = _current;
        if (!token.HasUnit("%") || !TryReadNumber(token, out var percent))
        {
            return Fail(token, ExpectedPercentAfterBy);
        }

        // A drop of more than 100% is impossible for the non-negative figures rules watch; a rise has no upper bound.
        if (direction == ChangeDirection.Drops && percent is <= 0 or > 100)
        {
            return Fail(token, "expected a percentage above 0% and at most 100% after 'drops by'");
        }

        if (direction == ChangeDirection.Rises && percent <= 0)
        {
            return Fail(token, "expected a percentage above 0% after 'rises by'");
        }

        condition = new RelativeChangeCondition(direction, percent / 100);
        return Advance();
    }

    private bool TryParseComparison(RuleMetric metric, Comparator comparator, [NotNullWhen(true)] out RuleCondition? condition)
    {
        condition = null;
        var token = _current;
        if (token.Kind != RuleTokenKind.Number || !TryReadNumber(token, out var number))
        {
            return Fail(token, ExpectedValue);
        }

        Advance();

        // "3x baseline" glues the x to the number; "3 x baseline" makes it a word of its own.
        var separateX = token.Unit.Length == 0 && _current.IsWord("x");
        if (token.HasUnit("x") || separateX)
        {
            if (number <= 0)
            {
                return Fail(token, "expected a factor greater than 0 before 'x'");
            }

            if (separateX)
            {
                Advance();
            }

            if (!TryExpectWord("baseline", "expected 'baseline' after 'x'"))
            {
                return false;
            }

            condition = new BaselineRatioCondition(comparator, number);
            return true;
        }

        if (!TryNormaliseThreshold(metric, token, number, out var threshold))
        {
            return false;
        }

        condition = new ThresholdCondition(comparator, threshold);
        return true;
    }

    /// <summary>Checks the value's unit against what the metric measures and converts it to the metric's own unit.</summary>
    private bool TryNormaliseThreshold(RuleMetric metric, RuleToken token, double number, out double threshold)
    {
        threshold = 0;
        var unit = token.Unit.ToLowerInvariant();
        if (unit is not ("" or "%" or "ms" or "s"))
        {
            return Fail(token, ExpectedValue);
        }

        var name = metric.ToRuleText();
        if (metric.IsLatency())
        {
            if (unit is not ("ms" or "s"))
            {
                return Fail(token, $"expected a latency such as 300ms or 2s for {name}");
            }

            threshold = unit == "s" ? number * 1000 : number;
            return true;
        }

        if (metric.IsRate())
        {
            // 5% and 0.05 mean the same; anything above 100% could never be reached.
            var inRange = unit switch { "%" => number <= 100, "" => number <= 1, _ => false };
            if (!inRange)
            {
                return Fail(token, $"expected a rate between 0% and 100% such as 5% or 0.05 for {name}");
            }

            threshold = unit == "%" ? number / 100 : number;
            return true;
        }

        if (metric == RuleMetric.QualityScore && (unit.Length != 0 || number > 1))
        {
            return Fail(token, $"expected a score from 0 to 1, such as 0.8, for {name}");
        }

        if (unit.Length != 0)
        {
            return Fail(token, $"expected a number without a unit, such as 0.03, for {name}");
        }

        threshold = number;
        return true;
    }

    private bool TryParseClauses(out TimeSpan over, out TimeSpan @for, out int minRequests, out double? confidence)
    {
        over = Rule.DefaultOver;
        @for = Rule.DefaultFor;
        minRequests = Rule.DefaultMinRequests;
        confidence = null;
        var seen = new List<string>(ClauseKeywords.Length);
        while (_current.Kind != RuleTokenKind.End)
        {
            var keyword = _current;
            var clause = Array.Find(ClauseKeywords, keyword.IsWord);
            if (clause is null)
            {
                return Fail(keyword, ExpectedClauseOrEnd(seen));
            }

            if (seen.Contains(clause))
            {
                return Fail(keyword, $"expected at most one '{clause}' clause");
            }

            seen.Add(clause);
            Advance();
            var parsed = clause switch
            {
                "over" => TryParseOver(out over),
                "for" => TryParseDuration("for", out @for),
                "min" => TryParseMin(out minRequests),
                _ => TryParseConfidence(out confidence),
            };
            if (!parsed)
            {
                return false;
            }
        }

        return true;
    }

    private bool TryParseOver(out TimeSpan over)
    {
        var token = _current;
        if (!TryParseDuration("over", out over))
        {
            return false;
        }

        // A zero-length window holds no requests, so the rule could never leave insufficient_data.
        return over > TimeSpan.Zero || Fail(token, "expected a duration greater than 0 after 'over'");
    }

    private bool TryParseDuration(string keyword, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var token = _current;
        if (!token.IsWholeNumber || !RuleDuration.TryGetTicksPerUnit(token.Unit, out var ticksPerUnit))
        {
            return Fail(token, $"expected a duration such as 30s or 5m after '{keyword}'");
        }

        if (!long.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count > TimeSpan.MaxValue.Ticks / ticksPerUnit)
        {
            return Fail(token, $"expected a shorter duration after '{keyword}'");
        }

        duration = TimeSpan.FromTicks(count * ticksPerUnit);
        return Advance();
    }

    private bool TryParseMin(out int minRequests)
    {
        minRequests = 0;
        var token = _current;
        if (!token.IsWholeNumber || token.Unit.Length != 0)
        {
            return Fail(token, "expected an integer after 'min'");
        }

        if (!int.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out minRequests))
        {
            return Fail(token, $"expected an integer no larger than {int.MaxValue} after 'min'");
        }

        if (minRequests < 1)
        {
            return Fail(token, "expected at least 1 request after 'min'");
        }

        Advance();
        return TryExpectWord("requests", "expected 'requests' after the number");
    }

    private bool TryParseConfidence(out double? confidence)
    {
        confidence = null;
        var token = _current;
        if (!token.HasUnit("%") || !TryReadNumber(token, out var percent))
        {
            return Fail(token, "expected a percentage such as 99% before 'confidence'");
        }

        // Below 50% a "significant" result is a coin flip; 100% would demand certainty no test can give.
        if (percent is < 50 or >= 100)
        {
            return Fail(token, "expected a confidence of at least 50% and below 100%");
        }

        confidence = percent / 100;
        Advance();
        return TryExpectWord("confidence", "expected 'confidence'");
    }

    private static bool TryReadNumber(RuleToken token, out double value)
        => double.TryParse(token.Text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);

    private bool TryExpectWord(string keyword, string expected)
        => _current.IsWord(keyword) ? Advance() : Fail(_current, expected);

    private bool Advance()
    {
        _current = _tokenizer.Next();
        return true;
    }

    private bool Fail(RuleToken at, string expected)
    {
        _error = new RuleParseError(_text, at.Position, expected);
        return false;
    }

    /// <summary>Lists only the clauses still allowed, so a typo after a complete rule gets a precise hint.</summary>
    private static string ExpectedClauseOrEnd(List<string> seen)
    {
        var remaining = ClauseKeywords.Where(k => !seen.Contains(k)).Select(k => $"'{k}'").ToArray();
        return remaining.Length == 0 ? "expected end of rule" : $"expected {string.Join(", ", remaining)} or end of rule";
    }

    private static string BuildExpectedMetric()
    {
        var names = Enum.GetValues<RuleMetric>().Select(m => m.ToRuleText()).ToArray();
        return $"expected a metric ({string.Join(", ", names[..^1])} or {names[^1]})";
    }
}
