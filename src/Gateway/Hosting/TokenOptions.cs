using Rollgate.Security;

namespace Rollgate.Hosting;

/// <summary>One entry of <c>Rollgate:Tokens</c>: a bearer token with the name history records and its role.</summary>
public sealed class TokenOptions
{
    /// <summary>The actor recorded in history; <c>token-{key}</c> when not given.</summary>
    public string? Name { get; set; }

    public string? Token { get; set; }

    /// <summary><c>viewer</c>, <c>operator</c> or <c>reporter</c>.</summary>
    public string Role { get; set; } = "viewer";

    /// <summary>The token of an entry that passed <see cref="RollgateOptionsValidator"/>.</summary>
    internal ApiToken ToApiToken(string key)
        => !string.IsNullOrEmpty(Token) && TryParseRole(Role, out var role)
            ? new ApiToken(Name ?? $"token-{key}", Token, role)
            : throw new InvalidOperationException($"Rollgate:Tokens:{key} is used without being validated.");

    /// <summary>The role by its name, in any case; numbers are not role names.</summary>
    internal static bool TryParseRole(string? text, out TokenRole role)
    {
        role = default;
        return Enum.GetNames<TokenRole>().Contains(text, StringComparer.OrdinalIgnoreCase) && Enum.TryParse(text, ignoreCase: true, out role);
    }
}
