using Microsoft.AspNetCore.Http;
using Rollgate.Security;

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

public static class AdminPermissions
{
    /// <summary>The permission an endpoint requires: its <see cref="RequiresPermission"/>, else by the method.</summary>
    public static AdminPermission Of(EndpointMetadataCollection? metadata, string method)
        => metadata?.GetMetadata<RequiresPermission>()?.Permission
           ?? (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? AdminPermission.Read : AdminPermission.Operate);

    public static bool Allows(TokenRole role, AdminPermission permission) => (role, permission) switch
    {
        (TokenRole.Operator, _) => true,
        (_, AdminPermission.Identify) => true,
        (TokenRole.Viewer, AdminPermission.Read) => true,
        (TokenRole.Reporter, AdminPermission.Report) => true,
        _ => false,
    };
}
