using Microsoft.AspNetCore.Http;
using Rollgate.Admin.Auth;
using Rollgate.Admin.Http;
using Rollgate.Release;

namespace Rollgate.Admin.Endpoints;

internal static class CommandIssuers
{
    /// <summary>The caller as a release command's issuer: its token's name, and the generation it named in <c>If-Match</c>.</summary>
    /// <returns>The issuer, or a problem when <c>If-Match</c> is not a generation.</returns>
    public static (CommandIssuer? Issuer, IResult? Error) Read(HttpContext context)
        => Generation.TryReadIfMatch(context, out var ifMatch)
            ? (new CommandIssuer(context.Actor()) { IfMatch = ifMatch }, null)
            : (null, AdminProblems.InvalidIfMatch());
}
