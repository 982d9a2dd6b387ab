namespace Rollgate.Admin.Auth;

/// <summary>What an admin endpoint requires. Viewers read, reporters post outcomes, operators do everything; every role may identify itself.</summary>
public enum AdminPermission
{
    Read,
    Operate,
    Report,
    /// <summary>Any valid token: asking who the token is (the console reads its role to show only what it may do).</summary>
    Identify,
}

/// <summary>Endpoint metadata overriding the default permission (GET/HEAD read, everything else operates).</summary>
public sealed record RequiresPermission(AdminPermission Permission);
