using System.Text.Json;
using Rollgate.Signals;

namespace Rollgate.Managed;

/// <summary>
/// Relays a model's Server-Sent Events line by line as they arrive, reading token usage from the <c>data:</c> lines
/// that carry it (the last one wins). When the gateway asked for the usage event itself, that event (usage and no
/// choices) is left out, with the blank line that ends it. Only a line not yet complete is held back until its end
/// arrives; everything else of a chunk goes on with it.
/// </summary>
public sealed class SseUsageFilter(bool dropUsageEvent) : IDisposable
{
    private const int MaxLineBytes = 256 * 1024;

    private readonly PooledBufferWriter _partial = new(256);
    private bool _dropBlankLine;

    public bool HasUsage { get; private set; }
    public long InputTokens { get; private set; }
    public long OutputTokens { get; private set; }

    /// <summary>Appends to <paramref name="output"/> what of <paramref name="chunk"/> (and of the line held back) goes to the client.</summary>
    public void Process(ReadOnlySpan<byte> chunk, PooledBufferWriter output)
    {
        while (!chunk.IsEmpty)
        {
            var newline = chunk.IndexOf((byte)'\n');
            if (newline < 0)
            {
                if (_partial.Length + chunk.Length > MaxLineBytes)
                {
                    // A line too long to be a usage event: pass it on as it comes.
                    output.Write(_partial.Written.Span);
                    output.Write(chunk);
                    _partial.Clear();
                }
                else
                {
                    _partial.Write(chunk);
                }

                return;
            }

            var end = newline + 1;
            if (_partial.Length > 0)
            {
                _partial.Write(chunk[..end]);
                Line(_partial.Written.Span, output);
                _partial.Clear();
            }
            else
            {
                Line(chunk[..end], output);
            }

            chunk = chunk[end..];
        }
    }

    /// <summary>What is left when the stream ends: a last line without its newline.</summary>
    public void Complete(PooledBufferWriter output)
    {
        if (_partial.Length > 0)
        {
            Line(_partial.Written.Span, output);
            _partial.Clear();
        }
    }

    public void Dispose() => _partial.Dispose();

    private void Line(ReadOnlySpan<byte> line, PooledBufferWriter output)
    {
        var content = line.TrimEnd("\r\n"u8);
        if (content.IsEmpty && _dropBlankLine)
        {
            _dropBlankLine = false;
            return;
        }

        if (content.StartsWith("data:"u8) && content.IndexOf("\"usage\""u8) >= 0)
        {
            var data = content[5..].TrimStart((byte)' ');
            if (UsageReader.TryRead(data, out var input, out var output2))
            {
                (HasUsage, InputTokens, OutputTokens) = (true, input, output2);
                if (dropUsageEvent && HasNoChoices(data))
                {
                    _dropBlankLine = true;
                    return;
                }
            }
        }

        output.Write(line);
    }

    /// <summary>The usage event carries an empty <c>choices</c> list (or none): it holds nothing else for the client.</summary>
    private static bool HasNoChoices(ReadOnlySpan<byte> data)
    {
        try
        {
            var reader = new Utf8JsonReader(data);
            using var document = JsonDocument.ParseValue(ref reader);
            return !document.RootElement.TryGetProperty("choices"u8, out var choices)
                   || (choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() == 0);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
