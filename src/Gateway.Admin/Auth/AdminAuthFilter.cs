using Microsoft.AspNetCore.Http;
using Rollgate.Admin.Http;
using Rollgate.Security;

namespace Rollgate.Admin.Auth;

/// <summary>Bearer-token check for every admin endpoint: 401 without a known token, 403 when the role may not act.</summary>
public sealed class AdminAuthFilter(TokenRegistry tokens) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? tokens.Resolve(header.AsSpan(7).Trim()) : null;
        if (token is null)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return ValueTask.FromResult<object?>(AdminProblems.Unauthorized());
        }

        var permission = http.GetEndpoint()?.Metadata.GetMetadata<RequiresPermission>()?.Permission
                         ?? (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method) ? AdminPermission.Read : AdminPermission.Operate);
        var allowed = (token.Role, permission) switch
        {
            (TokenRole.Operator, _) => true,
            (TokenRole.Viewer, AdminPermission.Read) => true,
            (TokenRole.Reporter, AdminPermission.Report) => true,
            _ => false,
        };
        if (!allowed)
        {
            return ValueTask.FromResult<object?>(AdminProblems.Forbidden(token, permission));
        }

        http.Features.Set(token);
        return next(context);
    }
}
