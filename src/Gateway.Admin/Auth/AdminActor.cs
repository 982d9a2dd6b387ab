using Microsoft.AspNetCore.Http;
using Rollgate.Security;

namespace Rollgate.Admin.Auth;

public static class AdminActor
{
    /// <summary>The token name recorded as the actor of a change.</summary>
    public static string Actor(this HttpContext context) => context.Features.Get<ApiToken>()?.Name ?? "unknown";
}
