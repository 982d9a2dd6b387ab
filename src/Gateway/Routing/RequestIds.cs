using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Rollgate.Routing;

/// <summary>
/// <c>X-Request-Id</c> values for requests that arrive without one: 32 hex digits, unique within the fleet.
/// <see cref="Guid.NewGuid"/> asks the kernel for random bytes on every call (a system call per request); this takes
/// a 64-bit process key drawn once and a counter, scrambled by a bijection so ids are distinct but not sequential.
/// </summary>
public static class RequestIds
{
    private static readonly ulong ProcessKey = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private static readonly ulong CounterKey = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private static long _counter;

    public static string Next()
    {
        var sequence = (ulong)Interlocked.Increment(ref _counter);
        Span<ulong> parts = [ProcessKey, Scramble(sequence ^ CounterKey)];
        return Convert.ToHexStringLower(MemoryMarshal.AsBytes(parts));
    }

    /// <summary>MurmurHash3's 64-bit finalizer: a bijection, so distinct counters give distinct ids.</summary>
    private static ulong Scramble(ulong value)
    {
        value ^= value >> 33;
        value *= 0xff51afd7ed558ccdUL;
        value ^= value >> 33;
        value *= 0xc4ceb9fe1a85ec53UL;
        value ^= value >> 33;
        return value;
    }
}
