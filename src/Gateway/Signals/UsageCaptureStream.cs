using System.Buffers;
using Rollgate.Quality;

namespace Rollgate.Signals;

/// <summary>
/// Wraps the client response body: every chunk is scanned for token usage (synchronously, without waiting for more)
/// and written through at once, so streams are never held back. A JSON body that arrives in one write is read in place;
/// otherwise JSON bodies up to 1 MiB are kept in a pooled buffer and parsed at the end; for
/// Server-Sent Events only <c>data:</c> lines that mention <c>"usage"</c> are parsed, the last one wins.
/// Other content types pass straight through. A sampled answer is also copied whole for the judge (<see cref="Copy"/>).
/// </summary>
public sealed class UsageCaptureStream : Stream
{
    public const int MaxJsonBytes = 1024 * 1024;
    private const int MaxLineBytes = 256 * 1024;

    private readonly Stream _inner;
    private readonly long _contentLength;
    private Mode _mode;
    private byte[]? _buffer;
    private int _length;

    private UsageCaptureStream(Stream inner, Mode mode, long contentLength = -1)
    {
        _inner = inner;
        _mode = mode;
        _contentLength = contentLength;
        IsEventStream = mode == Mode.EventStream;
    }

    private enum Mode : byte
    {
        Json,
        EventStream,
        PassThrough,
    }

    /// <summary>
    /// Starts capturing if the response (its headers already set) can carry usage: JSON up to 1 MiB, not
    /// compressed, or Server-Sent Events. Other responses are not wrapped at all.
    /// </summary>
    public static UsageCaptureStream? For(HttpResponse response)
    {
        var contentType = response.ContentType;
        if (contentType is null)
        {
            return null;
        }

        if (contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            return new UsageCaptureStream(response.Body, Mode.EventStream);
        }

        var json = contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
                   || contentType.Contains("json", StringComparison.OrdinalIgnoreCase); // application/problem+json, vnd…+json
        return json && response.Headers.ContentEncoding.Count == 0
               && !(response.ContentLength > MaxJsonBytes)
            ? new UsageCaptureStream(response.Body, Mode.Json, response.ContentLength ?? -1)
            : null;
    }

    public long InputTokens { get; private set; }
    public long OutputTokens { get; private set; }
    public bool HasUsage { get; private set; }

    /// <summary>True for Server-Sent Events, false for a JSON body.</summary>
    public bool IsEventStream { get; }

    /// <summary>Where every chunk is also copied when the answer was sampled for the judge; null otherwise.</summary>
    internal BodyCopy? Copy { get; set; }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    // Scan, then hand the chunk on: no async state machine of our own per write.
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Observe(buffer.Span);
        return _inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Observe(buffer.AsSpan(offset, count));
        return _inner.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        Observe(buffer.AsSpan(offset, count));
        _inner.Write(buffer, offset, count);
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override void Flush() => _inner.Flush();

    /// <summary>Parses a buffered JSON body once the response is complete, and returns pooled memory.</summary>
    public void Complete()
    {
        if (_mode == Mode.Json && _buffer is not null && UsageReader.TryRead(_buffer.AsSpan(0, _length), out var input, out var output))
        {
            SetUsage(input, output);
        }

        Release();
    }

    protected override void Dispose(bool disposing)
    {
        Release();
        base.Dispose(disposing);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    private void Observe(ReadOnlySpan<byte> chunk)
    {
        Copy?.Append(chunk);
        switch (_mode)
        {
            case Mode.Json when _length == 0 && chunk.Length == _contentLength:
                // The whole body in one write (the usual case for a completion): read it in place, nothing to keep.
                if (UsageReader.TryRead(chunk, out var input, out var output))
                {
                    SetUsage(input, output);
                }

                _mode = Mode.PassThrough;
                break;
            case Mode.Json:
                Append(chunk, MaxJsonBytes);
                break;
            case Mode.EventStream:
                ScanEvents(chunk);
                break;
        }
    }

    private void ScanEvents(ReadOnlySpan<byte> chunk)
    {
        while (!chunk.IsEmpty)
        {
            var newline = chunk.IndexOf((byte)'\n');
            if (newline < 0)
            {
                Append(chunk, MaxLineBytes);
                return;
            }

            ReadOnlySpan<byte> line;
            if (_length > 0)
            {
                Append(chunk[..newline], MaxLineBytes);
                line = _mode == Mode.PassThrough ? default : _buffer.AsSpan(0, _length);
                _length = 0;
            }
            else
            {
                line = chunk[..newline];
            }

            InspectEventLine(line);
            chunk = chunk[(newline + 1)..];
        }
    }

    private void InspectEventLine(ReadOnlySpan<byte> line)
    {
        if (line.StartsWith("data:"u8) && line.IndexOf("\"usage\""u8) >= 0
            && UsageReader.TryRead(line[5..].TrimStart((byte)' ').TrimEnd((byte)'\r'), out var input, out var output))
        {
            SetUsage(input, output);
        }
    }

    private void Append(ReadOnlySpan<byte> data, int limit)
    {
        if (_length + data.Length > limit)
        {
            // Too large to parse: stop looking (JSON) or drop the line (SSE), never buffer without bound.
            if (_mode == Mode.Json)
            {
                _mode = Mode.PassThrough;
            }

            _length = 0;
            return;
        }

        if (_buffer is null || _buffer.Length < _length + data.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(4096, (_length + data.Length) * 2));
            _buffer?.AsSpan(0, _length).CopyTo(bigger);
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _buffer = bigger;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
    }

    private void SetUsage(long input, long output)
    {
        InputTokens = input;
        OutputTokens = output;
        HasUsage = true;
    }

    private void Release()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
