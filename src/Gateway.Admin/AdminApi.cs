using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rollgate.Admin.Auth;
using Rollgate.Admin.Endpoints;

namespace Rollgate.Admin;

/// <summary>Maps the admin API (docs/api.md) under <c>/admin</c>, every endpoint behind the bearer-token filter.</summary>
public static class AdminApi
{
    public const string Prefix = "/admin";

    public static RouteGroupBuilder MapRollgateAdmin(this IEndpointRouteBuilder endpoints)
    {
        var admin = endpoints.MapGroup(Prefix);
        admin.AddEndpointFilter<AdminAuthFilter>();
        AgentEndpoints.Map(admin);
        VersionEndpoints.Map(admin);
        ReleaseEndpoints.Map(admin);
        SignalEndpoints.Map(admin);
        ToolEndpoints.Map(admin);
        EvalEndpoints.Map(admin);
        IdentityEndpoints.Map(admin);
        return admin;
    }
}

