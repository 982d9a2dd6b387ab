using System.Buffers;
using System.Buffers.Binary;

namespace Rollgate.Signals;

/// <summary>
/// The figures of every version of one agent for one second or one minute, packed into one byte array: what the
/// in-memory figure store keeps per bucket. A retained bucket is then one object, not a few per version, and sized by
/// what it holds rather than by the 301 latency buckets a <see cref="FigureSummary"/> carries.
/// </summary>
/// <remarks>
/// Versions follow in ascending order. Each is its number, a variable-length integer telling which fields are not zero
/// (one byte for the usual ones), those fields
/// (counts as variable-length integers, sums of money and squares as the exact doubles) and its non-empty latency
/// buckets as (gap from the previous one, count). Adding and reading give exactly the sums <see cref="FigureSummary.Add"/>
/// would: the doubles are stored as they are, and adding two of them does not depend on their order.
/// </remarks>
internal static class PackedFigures
{
    [Flags]
    private enum Fields : ushort
    {
        Requests = 1,
        Errors = 2,
        InputTokens = 4,
        OutputTokens = 8,
        Completed = 16,
        Failed = 32,
        Cost = 64,
        TokensSquares = 128,
        ToolCalls = 256,
        ToolFailures = 512,
        Fallbacks = 1024,
        QualityCount = 2048,
        QualitySums = 4096,
    }

    /// <summary>The most one version can take: every field at its widest and every latency bucket used.</summary>
    private const int MaxVersionBytes = 5 + 3 + 10 * 10 + 5 * 8 + 5 + LatencyHistogram.BucketCount * (5 + 10);

    /// <summary>Returns <paramref name="packed"/> (null for none yet) with <paramref name="figures"/> added to its version.</summary>
    public static byte[] Add(byte[]? packed, int version, FigureSummary figures)
    {
        packed ??= [];
        var buffer = ArrayPool<byte>.Shared.Rent(packed.Length + MaxVersionBytes);
        try
        {
            var reader = new Reader(packed);
            var writer = new Writer(buffer);
            var added = false;
            while (!reader.End)
            {
                var start = reader.Position;
                var stored = reader.ReadVersion();
                if (!added && stored >= version)
                {
                    added = true;
                    if (stored == version)
                    {
                        var sum = figures.Clone();
                        reader.ReadFigures(sum);
                        writer.WriteVersion(version, sum);
                        continue;
                    }

                    writer.WriteVersion(version, figures);
                }

                reader.SkipFigures();
                writer.WriteRaw(packed.AsSpan(start, reader.Position - start));
            }

            if (!added)
            {
                writer.WriteVersion(version, figures);
            }

            return writer.Written.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Adds every version's figures in <paramref name="packed"/> to its sum in <paramref name="sums"/> (created when missing).</summary>
    public static void AddTo(ReadOnlySpan<byte> packed, Dictionary<int, FigureSummary> sums)
    {
        var reader = new Reader(packed);
        while (!reader.End)
        {
            var version = reader.ReadVersion();
            if (!sums.TryGetValue(version, out var sum))
            {
                sum = new FigureSummary();
                sums[version] = sum;
            }

            reader.ReadFigures(sum);
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;

        public int Position { get; private set; }

        public readonly bool End => Position >= _bytes.Length;

        public int ReadVersion() => (int)ReadUnsigned();

        /// <summary>Adds the figures that follow a version number to <paramref name="sum"/>.</summary>
        public void ReadFigures(FigureSummary sum)
        {
            var fields = (Fields)ReadUnsigned();
            sum.Requests += fields.HasFlag(Fields.Requests) ? ReadSigned() : 0;
            sum.Errors += fields.HasFlag(Fields.Errors) ? ReadSigned() : 0;
            sum.InputTokens += fields.HasFlag(Fields.InputTokens) ? ReadSigned() : 0;
            sum.OutputTokens += fields.HasFlag(Fields.OutputTokens) ? ReadSigned() : 0;
            sum.Completed += fields.HasFlag(Fields.Completed) ? ReadSigned() : 0;
            sum.Failed += fields.HasFlag(Fields.Failed) ? ReadSigned() : 0;
            sum.ToolCalls += fields.HasFlag(Fields.ToolCalls) ? ReadSigned() : 0;
            sum.ToolFailures += fields.HasFlag(Fields.ToolFailures) ? ReadSigned() : 0;
            sum.Fallbacks += fields.HasFlag(Fields.Fallbacks) ? ReadSigned() : 0;
            sum.QualityCount += fields.HasFlag(Fields.QualityCount) ? ReadSigned() : 0;
            if (fields.HasFlag(Fields.Cost))
            {
                sum.CostUsd += ReadDouble();
                sum.CostUsdSquares += ReadDouble();
            }

            if (fields.HasFlag(Fields.TokensSquares))
            {
                sum.TokensSquares += ReadDouble();
            }

            if (fields.HasFlag(Fields.QualitySums))
            {
                sum.QualitySum += ReadDouble();
                sum.QualitySquares += ReadDouble();
            }

            var buckets = (int)ReadUnsigned();
            for (int i = 0, bucket = -1; i < buckets; i++)
            {
                bucket += 1 + (int)ReadUnsigned();
                sum.Latency.Add(bucket, (long)ReadUnsigned());
            }
        }

        public void SkipFigures()
        {
            var fields = (Fields)ReadUnsigned();
            foreach (var field in (ReadOnlySpan<Fields>)[Fields.Requests, Fields.Errors, Fields.InputTokens, Fields.OutputTokens, Fields.Completed, Fields.Failed, Fields.ToolCalls, Fields.ToolFailures, Fields.Fallbacks, Fields.QualityCount])
            {
                if (fields.HasFlag(field))
                {
                    ReadUnsigned();
                }
            }

            Position += ((fields.HasFlag(Fields.Cost) ? 2 : 0) + (fields.HasFlag(Fields.TokensSquares) ? 1 : 0) + (fields.HasFlag(Fields.QualitySums) ? 2 : 0)) * sizeof(double);
            var buckets = (int)ReadUnsigned();
            for (var i = 0; i < 2 * buckets; i++)
            {
                ReadUnsigned();
            }
        }

        private ulong ReadUnsigned()
        {
            ulong value = 0;
            for (var shift = 0; ; shift += 7)
            {
                var b = _bytes[Position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }
        }

        private long ReadSigned()
        {
            var zigzag = ReadUnsigned();
            return (long)(zigzag >> 1) ^ -(long)(zigzag & 1);
        }

        private double ReadDouble()
        {
            var value = BinaryPrimitives.ReadDoubleLittleEndian(_bytes[Position..]);
            Position += sizeof(double);
            return value;
        }
    }

    private ref struct Writer(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;
        private int _position;

        public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

        public void WriteRaw(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_buffer[_position..]);
            _position += bytes.Length;
        }

        public void WriteVersion(int version, FigureSummary figures)
        {
            WriteUnsigned((ulong)version);
            var fields = (figures.Requests != 0 ? Fields.Requests : 0)
                         | (figures.Errors != 0 ? Fields.Errors : 0)
                         | (figures.InputTokens != 0 ? Fields.InputTokens : 0)
                         | (figures.OutputTokens != 0 ? Fields.OutputTokens : 0)
                         | (figures.Completed != 0 ? Fields.Completed : 0)
                         | (figures.Failed != 0 ? Fields.Failed : 0)
                         | (figures.CostUsd != 0 || figures.CostUsdSquares != 0 ? Fields.Cost : 0)
                         | (figures.TokensSquares != 0 ? Fields.TokensSquares : 0)
                         | (figures.ToolCalls != 0 ? Fields.ToolCalls : 0)
                         | (figures.ToolFailures != 0 ? Fields.ToolFailures : 0)
                         | (figures.Fallbacks != 0 ? Fields.Fallbacks : 0)
                         | (figures.QualityCount != 0 ? Fields.QualityCount : 0)
                         | (figures.QualitySum != 0 || figures.QualitySquares != 0 ? Fields.QualitySums : 0);
            WriteUnsigned((ulong)fields);
            foreach (var value in (ReadOnlySpan<long>)[figures.Requests, figures.Errors, figures.InputTokens, figures.OutputTokens, figures.Completed, figures.Failed, figures.ToolCalls, figures.ToolFailures, figures.Fallbacks, figures.QualityCount])
            {
                if (value != 0)
                {
                    WriteUnsigned((ulong)((value << 1) ^ (value >> 63)));
                }
            }

            if (fields.HasFlag(Fields.Cost))
            {
                WriteDouble(figures.CostUsd);
                WriteDouble(figures.CostUsdSquares);
            }

            if (fields.HasFlag(Fields.TokensSquares))
            {
                WriteDouble(figures.TokensSquares);
            }

            if (fields.HasFlag(Fields.QualitySums))
            {
                WriteDouble(figures.QualitySum);
                WriteDouble(figures.QualitySquares);
            }

            var latency = figures.Latency.Counts;
            WriteUnsigned((ulong)(latency.Length - latency.Count(0L)));
            for (int bucket = 0, previous = -1; bucket < latency.Length; bucket++)
            {
                if (latency[bucket] != 0)
                {
                    WriteUnsigned((ulong)(bucket - previous - 1));
                    WriteUnsigned((ulong)latency[bucket]);
                    previous = bucket;
                }
            }
        }

        private void WriteUnsigned(ulong value)
        {
            while (value >= 0x80)
            {
                _buffer[_position++] = (byte)(value | 0x80);
                value >>= 7;
            }

            _buffer[_position++] = (byte)value;
        }

        private void WriteDouble(double value)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(_buffer[_position..], value);
            _position += sizeof(double);
        }
    }
}
