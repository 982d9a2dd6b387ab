using System.Security.Cryptography;
using System.Text;

namespace Rollgate.Security;

/// <summary>
/// Resolves bearer tokens in constant time: every candidate is compared (by SHA-256 digest, so lengths leak
/// nothing) and the loop never exits early.
/// </summary>
public sealed class TokenRegistry
{
    private readonly (byte[] Digest, ApiToken Token)[] _tokens;

    public TokenRegistry(IEnumerable<ApiToken> tokens)
        => _tokens = tokens.Select(t => (SHA256.HashData(Encoding.UTF8.GetBytes(t.Token)), t)).ToArray();

    public IReadOnlyList<ApiToken> Tokens => _tokens.Select(t => t.Token).ToArray();

    public ApiToken? Resolve(ReadOnlySpan<char> presented)
    {
        if (presented.IsEmpty)
        {
            return null;
        }

        Span<byte> digest = stackalloc byte[32];
        var bytes = Encoding.UTF8.GetByteCount(presented) <= 1024 ? stackalloc byte[Encoding.UTF8.GetByteCount(presented)] : new byte[Encoding.UTF8.GetByteCount(presented)];
        Encoding.UTF8.GetBytes(presented, bytes);
        SHA256.HashData(bytes, digest);
        ApiToken? match = null;
        foreach (var (candidate, token) in _tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(candidate, digest))
            {
                match = token;
            }
        }

        return match;
    }
}
