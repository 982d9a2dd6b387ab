namespace Rollgate.Security;

/// <summary>A configured bearer token. <see cref="Name"/> is what history records as the actor.</summary>
public sealed record ApiToken(string Name, string Token, TokenRole Role);
