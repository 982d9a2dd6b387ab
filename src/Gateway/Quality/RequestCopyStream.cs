namespace Rollgate.Quality;

/// <summary>
/// The request body of a sampled passthrough request as YARP reads it to forward it: every chunk read is also appended
/// to a <see cref="BodyCopy"/>, so the conversation reaches the judge without the gateway reading the body itself.
/// Seekable when the body under it is (a body buffered for the retry on stable): rewinding it restarts the copy.
/// </summary>
internal sealed class RequestCopyStream(Stream inner, BodyCopy copy) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set
        {
            inner.Position = value;
            if (value == 0)
            {
                copy.Restart();
            }
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        copy.Append(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        copy.Append(buffer[..read]);
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var position = inner.Seek(offset, origin);
        if (position == 0)
        {
            copy.Restart();
        }

        return position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
