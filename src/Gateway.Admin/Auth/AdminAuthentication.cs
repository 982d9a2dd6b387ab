using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Rollgate.Admin.Http;
using Rollgate.Security;

namespace Rollgate.Admin.Auth;

/// <summary>
/// Authenticates every request under <c>/admin</c> before routing, so that a caller without a valid token learns
/// nothing about which admin routes or methods exist: unknown paths and wrong methods are 401 like everything else.
/// The token found is left on the request for <see cref="AdminAuthFilter"/>, which checks its role per endpoint.
/// </summary>
public sealed class AdminAuthentication(RequestDelegate next, TokenRegistry tokens)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments(AdminApi.Prefix))
        {
            return next(context);
        }

        var header = context.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? tokens.Resolve(header.AsSpan(7).Trim()) : null;
        if (token is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return AdminProblems.Unauthorized().ExecuteAsync(context);
        }

        context.Features.Set(token);
        return next(context);
    }
}

public static class AdminAuthenticationExtensions
{
    /// <summary>Place before routing: nothing under <c>/admin</c> is routed for a caller without a valid token.</summary>
    public static IApplicationBuilder UseAdminAuthentication(this IApplicationBuilder app) => app.UseMiddleware<AdminAuthentication>();
}
