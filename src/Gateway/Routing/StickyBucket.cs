namespace Rollgate.Routing;

/// <summary>
/// Maps a conversation key to a bucket 0..9999 with 64-bit FNV-1a over the agent name and the key: stable across
/// processes and replicas (unlike string.GetHashCode), allocation-free, and salted by agent so one session is not
/// always a canary user for every agent.
/// </summary>
public static class StickyBucket
{
    public const int Count = 10_000;
    private const ulong Prime = 1099511628211;
    private const ulong Offset = 14695981039346656037;

    public static ulong Seed(string agent)
    {
        var hash = Offset;
        foreach (var c in agent)
        {
            hash = (hash ^ c) * Prime;
        }

        return (hash ^ '/') * Prime;
    }

    public static int Of(ulong seed, ReadOnlySpan<char> key)
    {
        var hash = seed;
        foreach (var c in key)
        {
            hash = (hash ^ c) * Prime;
        }

        // Final avalanche (from SplitMix64) so nearby keys ("user-1", "user-2") spread evenly.
        hash ^= hash >> 30;
        hash *= 0xbf58476d1ce4e5b9;
        hash ^= hash >> 27;
        hash *= 0x94d049bb133111eb;
        hash ^= hash >> 31;
        return (int)(hash % Count);
    }

    /// <summary>Buckets below this go to the canary: <c>bucket &lt; canaryPercent × 100</c>.</summary>
    public static int Threshold(double canaryPercent) => (int)Math.Round(Math.Clamp(canaryPercent, 0, 100) * 100);
}
