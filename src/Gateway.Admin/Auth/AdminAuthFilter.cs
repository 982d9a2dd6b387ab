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

        var permission = AdminPermissions.Of(http.GetEndpoint()?.Metadata, http.Request.Method);
        return AdminPermissions.Allows(token.Role, permission) ? next(context) : ValueTask.FromResult<object?>(AdminProblems.Forbidden(token, permission));
    }
}
