using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Rollgate.Admin.Auth;
using Rollgate.Json;
using Rollgate.Security;

namespace Rollgate.Admin.Endpoints;

/// <summary><c>GET /admin/whoami</c>: the calling token's name and role, so a client can offer only what the role may do.</summary>
internal static class IdentityEndpoints
{
    public static void Map(RouteGroupBuilder admin)
        => admin.MapGet("/whoami", WhoAmI)
            .WithMetadata(new RequiresPermission(AdminPermission.Identify))
            .WithTags("Identity")
            .WithName("WhoAmI")
            .WithSummary("The calling token's name and role")
            .Produces<WhoAmIView>();

    private static IResult WhoAmI(HttpContext context)
    {
        // AdminAuthFilter has already refused a request without a token.
        var token = context.Features.GetRequiredFeature<ApiToken>();
        return Results.Json(new WhoAmIView(token.Name, token.Role.ToString().ToLowerInvariant()), RollgateJson.Options);
    }
}

/// <param name="Name">The token's name: the actor history records for its changes.</param>
/// <param name="Role"><c>operator</c>, <c>viewer</c> or <c>reporter</c>.</param>
public sealed record WhoAmIView(string Name, string Role);
