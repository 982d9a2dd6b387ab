using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;

namespace Rollgate.Signals;

/// <summary>
/// Reads token usage from an OpenAI- or Anthropic-style JSON document: the top-level <c>usage</c> object's
/// <c>prompt_tokens</c>/<c>completion_tokens</c> or <c>input_tokens</c>/<c>output_tokens</c>. Never throws.
/// </summary>
/// <remarks>
/// Runs on every JSON response, so it does not tokenize the whole document: it searches for <c>"usage"</c>, checks
/// with a byte scan that the match is a key of the root object (not nested, not a string value), and reads only that
/// object: directly in the usual shape, with a JSON reader otherwise. The scan tracks nesting and strings from the
/// start, so the document is read at most once.
/// </remarks>
public static class UsageReader
{
    private static ReadOnlySpan<byte> UsageKey => "\"usage\""u8;

    /// <summary>Bytes that end a string or escape the next byte inside one.</summary>
    private static readonly SearchValues<byte> StringSpecial = SearchValues.Create("\"\\"u8);

    /// <summary>Bytes a JSON number may continue with.</summary>
    private static readonly SearchValues<byte> NumberBytes = SearchValues.Create("0123456789.eE+-"u8);

    public static bool TryRead(ReadOnlySpan<byte> json, out long inputTokens, out long outputTokens)
    {
        inputTokens = 0;
        outputTokens = 0;
        var structure = new StructureScan();
        var from = 0;
        while (true)
        {
            var found = json[from..].IndexOf(UsageKey);
            if (found < 0)
            {
                return false; // most bodies have no usage at all
            }

            var at = from + found;
            if (!structure.AdvanceTo(json, at))
            {
                return false; // malformed before the match
            }

            if (structure is { Depth: 1, InString: false, RootIsObject: true }
                && ValueStart(json, at + UsageKey.Length) is var value and >= 0)
            {
                return json[value] == (byte)'{' && ReadUsageObject(json[value..], out inputTokens, out outputTokens);
            }

            from = at + 1;
        }
    }

    /// <summary>Where the value after a key starts (past the colon and whitespace), or -1 if this was no key.</summary>
    private static int ValueStart(ReadOnlySpan<byte> json, int afterKey)
    {
        var colon = SkipWhitespace(json, afterKey);
        if (colon >= json.Length || json[colon] != (byte)':')
        {
            return -1; // "usage" was a string value, not a key
        }

        var value = SkipWhitespace(json, colon + 1);
        return value < json.Length ? value : -1;
    }

    private static int SkipWhitespace(ReadOnlySpan<byte> json, int index)
    {
        while (index < json.Length && json[index] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            index++;
        }

        return index;
    }

    private static bool ReadUsageObject(ReadOnlySpan<byte> usage, out long input, out long output)
        => TryReadPlainUsageObject(usage, out input, out output) ?? ReadUsageObjectWithReader(usage, out input, out output);

    /// <summary>
    /// The usual usage object (plain keys; numbers, strings, literals or nested objects as values) read directly, at a
    /// fraction of a JSON reader's cost. Null when the object holds what this does not handle simply (an escaped key,
    /// deep nesting, text cut short or malformed): <see cref="ReadUsageObjectWithReader"/> then decides.
    /// </summary>
    private static bool? TryReadPlainUsageObject(ReadOnlySpan<byte> usage, out long input, out long output)
    {
        input = 0;
        output = 0;
        var found = false;
        var i = SkipWhitespace(usage, 1); // past the object's '{'
        if (i < usage.Length && usage[i] == (byte)'}')
        {
            return false;
        }

        while (true)
        {
            if (i >= usage.Length || usage[i] != (byte)'"')
            {
                return null;
            }

            var keyLength = usage[(i + 1)..].IndexOfAny(StringSpecial);
            if (keyLength < 0 || usage[i + 1 + keyLength] != (byte)'"')
            {
                return null; // an escape in the key (or no end): the reader compares unescaped names
            }

            var kind = TokenKind(usage.Slice(i + 1, keyLength));
            i = SkipWhitespace(usage, i + keyLength + 2);
            if (i >= usage.Length || usage[i] != (byte)':')
            {
                return null;
            }

            var start = SkipWhitespace(usage, i + 1);
            i = start;
            if (!SkipValue(usage, ref i))
            {
                return null;
            }

            // An integer only, as JsonElement.TryGetInt64 reads it: "12.0", "1e3" and "12" (a string) do not count.
            if (kind != 0 && Utf8Parser.TryParse(usage[start..i], out long value, out var consumed) && consumed == i - start && value >= 0)
            {
                found = true;
                if (kind == 1) input = value;
                else output = value;
            }

            i = SkipWhitespace(usage, i);
            if (i >= usage.Length)
            {
                return null;
            }

            if (usage[i] == (byte)'}')
            {
                return found;
            }

            if (usage[i] != (byte)',')
            {
                return null;
            }

            i = SkipWhitespace(usage, i + 1);
        }
    }

    /// <summary>1 for an input-token key, 2 for an output-token key, 0 for any other.</summary>
    private static int TokenKind(ReadOnlySpan<byte> key)
        => key.SequenceEqual("prompt_tokens"u8) || key.SequenceEqual("input_tokens"u8) ? 1
            : key.SequenceEqual("completion_tokens"u8) || key.SequenceEqual("output_tokens"u8) ? 2
            : 0;

    /// <summary>Moves past one JSON value starting at <paramref name="i"/>; false when it is not one this can skip.</summary>
    private static bool SkipValue(ReadOnlySpan<byte> json, ref int i)
    {
        if (i >= json.Length)
        {
            return false;
        }

        switch (json[i])
        {
            case (byte)'"':
                return SkipString(json, ref i);
            case (byte)'{' or (byte)'[':
                return SkipContainer(json, ref i);
            case (byte)'t':
                return SkipLiteral(json, ref i, "true"u8);
            case (byte)'f':
                return SkipLiteral(json, ref i, "false"u8);
            case (byte)'n':
                return SkipLiteral(json, ref i, "null"u8);
            case (byte)'-' or (>= (byte)'0' and <= (byte)'9'):
                var end = json[(i + 1)..].IndexOfAnyExcept(NumberBytes);
                i = end < 0 ? json.Length : i + 1 + end;
                return true;
            default:
                return false;
        }
    }

    private static bool SkipString(ReadOnlySpan<byte> json, ref int i)
    {
        i++; // the opening quote
        while (true)
        {
            var next = json[i..].IndexOfAny(StringSpecial);
            if (next < 0)
            {
                return false;
            }

            i += next;
            if (json[i] == (byte)'"')
            {
                i++;
                return true;
            }

            i += 2; // an escape and the byte it escapes
            if (i >= json.Length)
            {
                return false;
            }
        }
    }

    /// <summary>Past a nested object or array, its brackets matched (one bit per level: object or array).</summary>
    private static bool SkipContainer(ReadOnlySpan<byte> json, ref int i)
    {
        ulong objects = 0;
        var depth = 0;
        while (i < json.Length)
        {
            switch (json[i])
            {
                case (byte)'"':
                    if (!SkipString(json, ref i))
                    {
                        return false;
                    }

                    continue;
                case (byte)'{' or (byte)'[':
                    if (depth == 64)
                    {
                        return false;
                    }

                    objects = (objects << 1) | (json[i] == (byte)'{' ? 1UL : 0UL);
                    depth++;
                    break;
                case (byte)'}' or (byte)']':
                    if ((objects & 1) != (json[i] == (byte)'}' ? 1UL : 0UL))
                    {
                        return false; // "{]" or "[}"
                    }

                    objects >>= 1;
                    if (--depth == 0)
                    {
                        i++;
                        return true;
                    }

                    break;
            }

            i++;
        }

        return false;
    }

    private static bool SkipLiteral(ReadOnlySpan<byte> json, ref int i, ReadOnlySpan<byte> literal)
    {
        if (!json[i..].StartsWith(literal))
        {
            return false;
        }

        i += literal.Length;
        return true;
    }

    /// <summary>The general case: a JSON reader over the usage object; what was read before any error stands.</summary>
    private static bool ReadUsageObjectWithReader(ReadOnlySpan<byte> usage, out long input, out long output)
    {
        input = 0;
        output = 0;
        var found = false;
        try
        {
            var reader = new Utf8JsonReader(usage, new JsonReaderOptions { MaxDepth = 64 });
            reader.Read(); // the object's '{'
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var kind = reader.ValueTextEquals("prompt_tokens"u8) || reader.ValueTextEquals("input_tokens"u8) ? 1
                    : reader.ValueTextEquals("completion_tokens"u8) || reader.ValueTextEquals("output_tokens"u8) ? 2
                    : 0;
                reader.Read();
                if (kind != 0 && reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) && value >= 0)
                {
                    found = true;
                    if (kind == 1) input = value;
                    else output = value;
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            // Cut short or malformed: what was read so far stands only if complete pairs were found.
        }

        return found;
    }

    /// <summary>Nesting depth and string state of a JSON text, advanced forward only.</summary>
    private struct StructureScan
    {
        private int _position;
        private bool _sawRoot;

        public int Depth { get; private set; }
        public bool InString { get; private set; }
        public bool RootIsObject { get; private set; }

        /// <summary>Scans up to (not including) <paramref name="end"/>, or one past it when an escape covers it; false when the nesting goes negative.</summary>
        /// <remarks>Byte by byte between tokens, where structure is dense; through a string with a vectorized search
        /// for its end, so long values (the completion text) cost little more than their length in memory bandwidth.</remarks>
        public bool AdvanceTo(ReadOnlySpan<byte> json, int end)
        {
            var i = _position;
            while (i < end)
            {
                if (InString)
                {
                    var next = json[i..end].IndexOfAny(StringSpecial);
                    if (next < 0)
                    {
                        i = end;
                        break;
                    }

                    i += next;
                    if (json[i] == (byte)'\\')
                    {
                        i += 2; // the escaped byte cannot end the string (it may lie past end: then the match is inside a string)
                        continue;
                    }

                    InString = false;
                }
                else
                {
                    var b = json[i];
                    if (b == (byte)'"')
                    {
                        InString = true;
                    }
                    else if (b is (byte)'{' or (byte)'[')
                    {
                        if (!_sawRoot)
                        {
                            _sawRoot = true;
                            RootIsObject = b == (byte)'{';
                        }

                        Depth++;
                    }
                    else if (b is (byte)'}' or (byte)']' && --Depth < 0)
                    {
                        return false; // a close without its open
                    }
                }

                i++;
            }

            _position = i;
            return true;
        }
    }
}
