using Rollgate.Managed;

namespace Rollgate.Quality;

/// <summary>
/// A copy of a sampled request or answer taken while it passes through, for the judge. A body larger than
/// <see cref="MaxBytes"/> is not kept whole and so not judged.
/// </summary>
internal sealed class BodyCopy : IDisposable
{
    public const int MaxBytes = 1024 * 1024;

    private readonly PooledBufferWriter _bytes = new(16 * 1024);

    /// <summary>False once the body outgrew <see cref="MaxBytes"/>.</summary>
    public bool Complete { get; private set; } = true;

    public void Append(ReadOnlySpan<byte> chunk)
    {
        if (!Complete)
        {
            return;
        }

        if (_bytes.Length + chunk.Length > MaxBytes)
        {
            Complete = false;
            return;
        }

        _bytes.Write(chunk);
    }

    /// <summary>Forgets what was copied: the body is being read again from its start.</summary>
    public void Restart()
    {
        _bytes.Clear();
        Complete = true;
    }

    public ReadOnlySpan<byte> Written => _bytes.Written.Span;

    public byte[] ToArray() => _bytes.Written.ToArray();

    public void Dispose() => _bytes.Dispose();
}
