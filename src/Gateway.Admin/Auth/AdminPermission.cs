namespace Rollgate.Admin.Auth;

/// <summary>What an admin endpoint requires. Viewers read, reporters post outcomes, operators do everything.</summary>
public enum AdminPermission
{
    Read,
    Operate,
    Report,
}

/// <summary>Endpoint metadata overriding the default permission (GET/HEAD read, everything else operates).</summary>
public sealed record RequiresPermission(AdminPermission Permission);
