namespace Rollgate.Rules;

/// <summary>
/// Splits rule text into tokens on demand. A unit belongs to a number only when written directly after it (<c>15%</c>,
/// <c>300ms</c>, <c>3x</c>); whitespace is optional around comparators, so <c>&gt;15%</c> and <c>&gt; 15%</c> are the same.
/// Words are ASCII-only so that case-insensitive keyword matching cannot be fooled by Unicode case folding.
/// </summary>
internal sealed class RuleTokenizer(string text)
{
    private int _offset;

    public RuleToken Next()
    {
        while (_offset < text.Length && char.IsWhiteSpace(text[_offset]))
        {
            _offset++;
        }

        var start = _offset;
        if (start == text.Length)
        {
            return new RuleToken(RuleTokenKind.End, start, string.Empty, string.Empty);
        }

        var c = text[start];
        if (IsWordStart(c))
        {
            _offset = SkipWhile(start + 1, IsWordPart);
            return new RuleToken(RuleTokenKind.Word, start, text[start.._offset], string.Empty);
        }

        if (char.IsAsciiDigit(c) || (c == '.' && IsDigitAt(start + 1)))
        {
            return ReadNumber(start);
        }

        if (c is '>' or '<')
        {
            _offset = start + 1 < text.Length && text[start + 1] == '=' ? start + 2 : start + 1;
            return new RuleToken(RuleTokenKind.Comparator, start, text[start.._offset], string.Empty);
        }

        _offset = start + 1;
        return new RuleToken(RuleTokenKind.Other, start, text[start.._offset], string.Empty);
    }

    private RuleToken ReadNumber(int start)
    {
        var end = SkipWhile(start, char.IsAsciiDigit);
        if (end < text.Length && text[end] == '.' && IsDigitAt(end + 1))
        {
            end = SkipWhile(end + 1, char.IsAsciiDigit);
        }

        var unitEnd = end < text.Length && text[end] == '%' ? end + 1 : SkipWhile(end, char.IsAsciiLetter);
        _offset = unitEnd;
        return new RuleToken(RuleTokenKind.Number, start, text[start..end], text[end..unitEnd]);
    }

    private int SkipWhile(int offset, Func<char, bool> predicate)
    {
        while (offset < text.Length && predicate(text[offset]))
        {
            offset++;
        }

        return offset;
    }

    private bool IsDigitAt(int offset) => offset < text.Length && char.IsAsciiDigit(text[offset]);

    private static bool IsWordStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsWordPart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';
}
