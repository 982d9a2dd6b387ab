using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Rollgate.Hashing;

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
        Span<ulong> parts = [ProcessKey, Mix64.Apply(sequence ^ CounterKey)];
        return Convert.ToHexStringLower(MemoryMarshal.AsBytes(parts));
    }
}
