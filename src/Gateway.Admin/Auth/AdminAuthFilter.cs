using Microsoft.AspNetCore.Http;
using Rollgate.Admin.Http;
using Rollgate.Security;

namespace Rollgate.Admin.Auth;

/// <summary>
/// Role check for every admin endpoint: 403 when the token's role may not act. The token itself was authenticated by
/// <see cref="AdminAuthentication"/> before routing; an endpoint reached without one is refused as unauthenticated.
/// </summary>
public sealed class AdminAuthFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.Features.Get<ApiToken>() is not { } token)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return ValueTask.FromResult<object?>(AdminProblems.Unauthorized());
        }

        var permission = http.GetEndpoint()?.Metadata.GetMetadata<RequiresPermission>()?.Permission
                         ?? (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) ? AdminPermission.Read : AdminPermission.Operate);
        var allowed = (token.Role, permission) switch
        {
            (TokenRole.Operator, _) => true,
            (_, AdminPermission.Identify) => true,
            (TokenRole.Viewer, AdminPermission.Read) => true,
            (TokenRole.Reporter, AdminPermission.Report) => true,
            _ => false,
        };
        return allowed ? next(context) : ValueTask.FromResult<object?>(AdminProblems.Forbidden(token, permission));
    }
}
