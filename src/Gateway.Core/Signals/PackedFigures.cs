using System.Buffers;
using System.Buffers.Binary;

namespace Rollgate.Signals;

/// <summary>
/// The figures of every version of one agent for one second or one minute, packed into one byte array: what the
/// in-memory figure store keeps per bucket. A retained bucket is then one object, not a few per version, and sized by
/// what it holds rather than by the 301 latency buckets a <see cref="FigureSummary"/> carries.
/// </summary>
/// <remarks>
/// Versions follow in ascending order. Each is its number, a byte telling which fields are not zero, those fields
/// (counts as variable-length integers, sums of money and squares as the exact doubles) and its non-empty latency
/// buckets as (gap from the previous one, count). Adding and reading give exactly the sums <see cref="FigureSummary.Add"/>
/// would: the doubles are stored as they are and added in the same order.
/// </remarks>
internal static class PackedFigures
{
    [Flags]
    private enum Fields : byte
    {
        Requests = 1,
        Errors = 2,
        InputTokens = 4,
        OutputTokens = 8,
        Completed = 16,
        Failed = 32,
        Cost = 64,
        TokensSquares = 128,
    }

    /// <summary>The most one version can take: every field at its widest and every latency bucket used.</summary>
    private const int MaxVersionBytes = 5 + 1 + 6 * 10 + 3 * 8 + 5 + LatencyHistogram.BucketCount * (5 + 10);

    /// <summary>Returns <paramref name="packed"/> (null for none yet) with <paramref name="figures"/> added to its version.</summary>
    public static byte[] Add(byte[]? packed, int version, FigureSummary figures)
    {
        packed ??= [];
        var buffer = ArrayPool<byte>.Shared.Rent(packed.Length + MaxVersionBytes);
        try
        {
            var reader = new Reader(packed);
            var writer = new Writer(buffer);
            Span<long> latency = stackalloc long[LatencyHistogram.BucketCount];
            var added = false;
            while (!reader.End)
            {
                var start = reader.Position;
                var entry = reader.ReadEntry();
                if (!added && entry.Version >= version)
                {
                    if (entry.Version == version)
                    {
                        var sum = entry.ReadInto(ref reader, latency);
                        sum.Add(figures);
                        latency.AddCounts(figures.Latency.Counts);
                        writer.WriteEntry(version, sum, latency);
                        added = true;
                        continue;
                    }

                    writer.WriteEntry(version, Scalars.Of(figures), figures.Latency.Counts);
                    added = true;
                }

                entry.Skip(ref reader);
                writer.WriteRaw(packed.AsSpan(start, reader.Position - start));
            }

            if (!added)
            {
                writer.WriteEntry(version, Scalars.Of(figures), figures.Latency.Counts);
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
            var entry = reader.ReadEntry();
            if (!sums.TryGetValue(entry.Version, out var sum))
            {
                sum = new FigureSummary();
                sums[entry.Version] = sum;
            }

            entry.Scalars.AddTo(sum);
            for (int i = 0, bucket = -1; i < entry.LatencyBuckets; i++)
            {
                bucket += 1 + (int)reader.ReadUnsigned();
                sum.Latency.Add(bucket, (long)reader.ReadUnsigned());
            }
        }
    }

    private static void AddCounts(this Span<long> latency, ReadOnlySpan<long> counts)
    {
        for (var i = 0; i < counts.Length; i++)
        {
            latency[i] += counts[i];
        }
    }

    /// <summary>Every field of a <see cref="FigureSummary"/> but its latency.</summary>
    private struct Scalars
    {
        public long Requests;
        public long Errors;
        public long InputTokens;
        public long OutputTokens;
        public long Completed;
        public long Failed;
        public double CostUsd;
        public double CostUsdSquares;
        public double TokensSquares;

        public static Scalars Of(FigureSummary figures) => new()
        {
            Requests = figures.Requests,
            Errors = figures.Errors,
            InputTokens = figures.InputTokens,
            OutputTokens = figures.OutputTokens,
            Completed = figures.Completed,
            Failed = figures.Failed,
            CostUsd = figures.CostUsd,
            CostUsdSquares = figures.CostUsdSquares,
            TokensSquares = figures.TokensSquares,
        };

        /// <summary>In <see cref="FigureSummary.Add"/>'s order, so the doubles come out the same.</summary>
        public void Add(FigureSummary figures)
        {
            Requests += figures.Requests;
            Errors += figures.Errors;
            CostUsd += figures.CostUsd;
            CostUsdSquares += figures.CostUsdSquares;
            InputTokens += figures.InputTokens;
            OutputTokens += figures.OutputTokens;
            TokensSquares += figures.TokensSquares;
            Completed += figures.Completed;
            Failed += figures.Failed;
        }

        public readonly void AddTo(FigureSummary sum)
        {
            sum.Requests += Requests;
            sum.Errors += Errors;
            sum.CostUsd += CostUsd;
            sum.CostUsdSquares += CostUsdSquares;
            sum.InputTokens += InputTokens;
            sum.OutputTokens += OutputTokens;
            sum.TokensSquares += TokensSquares;
            sum.Completed += Completed;
            sum.Failed += Failed;
        }
    }

    /// <summary>A version read up to its latency buckets.</summary>
    private readonly record struct Entry(int Version, Scalars Scalars, int LatencyBuckets)
    {
        public Scalars ReadInto(ref Reader reader, scoped Span<long> latency)
        {
            for (int i = 0, bucket = -1; i < LatencyBuckets; i++)
            {
                bucket += 1 + (int)reader.ReadUnsigned();
                latency[bucket] += (long)reader.ReadUnsigned();
            }

            return Scalars;
        }

        public void Skip(ref Reader reader)
        {
            for (var i = 0; i < 2 * LatencyBuckets; i++)
            {
                reader.ReadUnsigned();
            }
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;

        public int Position { get; private set; }

        public readonly bool End => Position >= _bytes.Length;

        public Entry ReadEntry()
        {
            var version = (int)ReadUnsigned();
            var fields = (Fields)_bytes[Position++];
            var scalars = new Scalars
            {
                Requests = fields.HasFlag(Fields.Requests) ? ReadSigned() : 0,
                Errors = fields.HasFlag(Fields.Errors) ? ReadSigned() : 0,
                InputTokens = fields.HasFlag(Fields.InputTokens) ? ReadSigned() : 0,
                OutputTokens = fields.HasFlag(Fields.OutputTokens) ? ReadSigned() : 0,
                Completed = fields.HasFlag(Fields.Completed) ? ReadSigned() : 0,
                Failed = fields.HasFlag(Fields.Failed) ? ReadSigned() : 0,
                CostUsd = fields.HasFlag(Fields.Cost) ? ReadDouble() : 0,
                CostUsdSquares = fields.HasFlag(Fields.Cost) ? ReadDouble() : 0,
                TokensSquares = fields.HasFlag(Fields.TokensSquares) ? ReadDouble() : 0,
            };
            return new Entry(version, scalars, (int)ReadUnsigned());
        }

        public ulong ReadUnsigned()
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

        public void WriteEntry(int version, in Scalars scalars, scoped ReadOnlySpan<long> latency)
        {
            WriteUnsigned((ulong)version);
            var fields = (scalars.Requests != 0 ? Fields.Requests : 0)
                         | (scalars.Errors != 0 ? Fields.Errors : 0)
                         | (scalars.InputTokens != 0 ? Fields.InputTokens : 0)
                         | (scalars.OutputTokens != 0 ? Fields.OutputTokens : 0)
                         | (scalars.Completed != 0 ? Fields.Completed : 0)
                         | (scalars.Failed != 0 ? Fields.Failed : 0)
                         | (scalars.CostUsd != 0 || scalars.CostUsdSquares != 0 ? Fields.Cost : 0)
                         | (scalars.TokensSquares != 0 ? Fields.TokensSquares : 0);
            _buffer[_position++] = (byte)fields;
            WriteSigned(fields, Fields.Requests, scalars.Requests);
            WriteSigned(fields, Fields.Errors, scalars.Errors);
            WriteSigned(fields, Fields.InputTokens, scalars.InputTokens);
            WriteSigned(fields, Fields.OutputTokens, scalars.OutputTokens);
            WriteSigned(fields, Fields.Completed, scalars.Completed);
            WriteSigned(fields, Fields.Failed, scalars.Failed);
            if (fields.HasFlag(Fields.Cost))
            {
                WriteDouble(scalars.CostUsd);
                WriteDouble(scalars.CostUsdSquares);
            }

            if (fields.HasFlag(Fields.TokensSquares))
            {
                WriteDouble(scalars.TokensSquares);
            }

            var used = latency.Length - latency.Count(0L);
            WriteUnsigned((ulong)used);
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

        private void WriteSigned(Fields fields, Fields field, long value)
        {
            if (fields.HasFlag(field))
            {
                WriteUnsigned((ulong)((value << 1) ^ (value >> 63)));
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
