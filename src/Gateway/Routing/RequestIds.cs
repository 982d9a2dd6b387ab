using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Rollgate.Hashing;

namespace Rollgate.Routing;

/// <summary>
/// <c>X-Request-Id</c> values: the client's when usable, otherwise one generated here.
/// Generated ids are 32 hex digits, unique within the fleet. <see cref="Guid.NewGuid"/> asks the kernel for random
/// bytes on every call (a system call per request); this takes a 64-bit process key drawn once and a counter,
/// scrambled by a bijection so ids are distinct but not sequential.
/// </summary>
public static class RequestIds
{
    public const int MaxLength = 128;

    private static readonly ulong ProcessKey = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private static readonly ulong CounterKey = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private static long _counter;

    /// <summary>Control characters but tab: Kestrel accepts them in a request header, refuses them in a response header.</summary>
    private static readonly SearchValues<char> ControlCharacters = SearchValues.Create(
        string.Concat(Enumerable.Range(0, 0x20).Where(c => c != '\t').Select(c => (char)c)) + "\u007f");

    public static string Next()
    {
        var sequence = (ulong)Interlocked.Increment(ref _counter);
        Span<ulong> parts = [ProcessKey, Mix64.Apply(sequence ^ CounterKey)];
        return Convert.ToHexStringLower(MemoryMarshal.AsBytes(parts));
    }

    /// <summary>A client's id is kept when it has 1 to 128 characters and can be echoed (no control character but tab).</summary>
    public static bool IsUsable(string id) => id.Length is > 0 and <= MaxLength && !id.AsSpan().ContainsAny(ControlCharacters);

    /// <summary>
    /// The id of a request about to be forwarded: the client's when usable, otherwise a new one (<c>Generated</c>), which
    /// the version route's transforms send on. An unusable id is removed, so it is neither forwarded nor echoed.
    /// </summary>
    public static (string Id, bool Generated) For(IHeaderDictionary headers)
    {
        var requestId = headers[RollgateHeaders.RequestId].ToString();
        if (IsUsable(requestId))
        {
            return (requestId, false);
        }

        if (requestId.Length > 0)
        {
            headers.Remove(RollgateHeaders.RequestId);
        }

        return (Next(), true);
    }

    /// <summary>The client's id when usable, else a new one: for answers given before a request is forwarded.</summary>
    public static string Of(HttpRequest request)
    {
        var id = request.Headers[RollgateHeaders.RequestId].ToString();
        return IsUsable(id) ? id : Next();
    }
}
