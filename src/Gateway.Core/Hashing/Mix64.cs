namespace Rollgate.Hashing;

/// <summary>MurmurHash3's 64-bit finalizer: a bijection that spreads every input bit over the whole output.</summary>
public static class Mix64
{
    public static ulong Apply(ulong value)
    {
        value ^= value >> 33;
        value *= 0xff51afd7ed558ccdUL;
        value ^= value >> 33;
        value *= 0xc4ceb9fe1a85ec53UL;
        value ^= value >> 33;
        return value;
    }
}
