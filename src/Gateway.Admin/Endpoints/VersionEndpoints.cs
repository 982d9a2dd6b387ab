using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rollgate.Admin.Auth;
using Rollgate.Admin.Http;
using Rollgate.Agents;
using Rollgate.Json;
using Rollgate.Stores;
using Rollgate.Versions;

namespace Rollgate.Admin.Endpoints;

/// <summary>Versions: create, list, read, diff. Versions are immutable, so PUT/PATCH/DELETE answer 405.</summary>
internal static class VersionEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapPost("/agents/{agent}/versions", CreateAsync);
        admin.MapGet("/agents/{agent}/versions", ListAsync);
        admin.MapGet("/agents/{agent}/versions/{number:int}", GetAsync);
        admin.MapMethods("/agents/{agent}/versions/{number}", [HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete], Immutable);
        admin.MapGet("/agents/{agent}/versions/{a:int}/diff/{b:int}", DiffAsync);
    }

    private static async Task<IResult> CreateAsync(string agent, HttpContext context, VersionService versions)
    {
        if (!AgentName.IsValid(agent))
        {
            return AdminProblems.InvalidAgentName(agent);
        }

        var (manifest, error) = await JsonBody.ReadAsync<VersionManifest>(context);
        if (error is not null)
        {
            return error;
        }

        return await versions.CreateAsync(agent, manifest!, context.Actor(), context.RequestAborted) switch
        {
            VersionCreateOutcome.Created created => Results.Json(created.Version, RollgateJson.Options, statusCode: StatusCodes.Status201Created)
                .WithLocation($"/admin/agents/{agent}/versions/{created.Version.Number.ToString(CultureInfo.InvariantCulture)}"),
            VersionCreateOutcome.Existing existing => Results.Json(existing.Version, RollgateJson.Options)
                .WithLocation($"/admin/agents/{agent}/versions/{existing.Version.Number.ToString(CultureInfo.InvariantCulture)}"),
            VersionCreateOutcome.Invalid invalid => AdminProblems.Validation(invalid.Errors),
            _ => AdminProblems.UnknownAgent(agent),
        };
    }

    private static async Task<IResult> ListAsync(string agent, IRollgateStore store, CancellationToken cancellationToken)
    {
        if (!AgentName.IsValid(agent))
        {
            return AdminProblems.InvalidAgentName(agent);
        }

        if (await store.GetAgentAsync(agent, cancellationToken) is null)
        {
            return AdminProblems.UnknownAgent(agent);
        }

        return Results.Json(new { versions = await store.ListVersionsAsync(agent, cancellationToken) }, RollgateJson.Options);
    }

    private static async Task<IResult> GetAsync(string agent, int number, IRollgateStore store, CancellationToken cancellationToken)
    {
        if (!AgentName.IsValid(agent))
        {
            return AdminProblems.InvalidAgentName(agent);
        }

        var version = await store.GetVersionAsync(agent, number, cancellationToken);
        return version is null ? UnknownVersion(agent, number) : Results.Json(version, RollgateJson.Options);
    }

    private static async Task<IResult> DiffAsync(string agent, int a, int b, IRollgateStore store, CancellationToken cancellationToken)
    {
        if (!AgentName.IsValid(agent))
        {
            return AdminProblems.InvalidAgentName(agent);
        }

        var left = await store.GetVersionAsync(agent, a, cancellationToken);
        var right = await store.GetVersionAsync(agent, b, cancellationToken);
        if (left is null || right is null)
        {
            return UnknownVersion(agent, left is null ? a : b);
        }

        return Results.Json(new { from = a, to = b, components = VersionDiff.Compare(left, right) }, RollgateJson.Options);
    }

    private static IResult Immutable(HttpContext context)
    {
        context.Response.Headers.Allow = "GET";
        return AdminProblems.Problem(StatusCodes.Status405MethodNotAllowed, "version-immutable", "Versions are immutable",
            "A version is never edited or deleted; create a new version instead (POST …/versions, optionally with basedOn).");
    }

    internal static IResult UnknownVersion(string agent, int number)
        => AdminProblems.Problem(StatusCodes.Status404NotFound, "unknown-version", "Unknown version", $"Agent '{agent}' has no version {number}.");
}

internal static class ResultExtensions
{
    public static IResult WithLocation(this IResult result, string location) => new LocatedResult(result, location);

    private sealed class LocatedResult(IResult inner, string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return inner.ExecuteAsync(httpContext);
        }
    }
}
