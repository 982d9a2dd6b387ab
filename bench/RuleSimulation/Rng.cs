namespace Rollgate.Bench.RuleSimulation;

/// <summary>
/// xoshiro256** seeded through SplitMix64: fast, and one instance per simulated canary keeps every
/// figure identical run to run whatever the thread scheduling.
/// </summary>
internal sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;

    public Rng(ulong seed)
    {
        _s0 = SplitMix(ref seed);
        _s1 = SplitMix(ref seed);
        _s2 = SplitMix(ref seed);
        _s3 = SplitMix(ref seed);
    }

    public ulong NextUInt64()
    {
        var result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform on [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Binomial(n, p) by inversion; every n·p in this simulation is small, so it takes a few steps.</summary>
    public int Binomial(int n, double p)
    {
        if (n == 0 || p <= 0)
        {
            return 0;
        }

        var u = NextDouble();
        var odds = p / (1 - p);
        var probability = Math.Pow(1 - p, n);
        var cumulative = probability;
        var k = 0;
        while (u > cumulative && k < n)
        {
            probability *= (n - k) / (double)(k + 1) * odds;
            k++;
            cumulative += probability;
        }

        return k;
    }

    /// <summary>Two independent standard normals (Box–Muller).</summary>
    public (double, double) NormalPair()
    {
        var radius = Math.Sqrt(-2 * Math.Log(1 - NextDouble()));
        var (sin, cos) = Math.SinCos(2 * Math.PI * NextDouble());
        return (radius * cos, radius * sin);
    }

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
