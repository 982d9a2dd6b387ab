using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rollgate.Admin.Auth;
using Rollgate.Admin.Http;
using Rollgate.Admin.Views;
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
        var versions = admin.MapGroup("").WithTags("Versions");
        versions.MapPost("/agents/{agent}/versions", CreateAsync)
            .WithName("CreateVersion")
            .WithSummary("Create a version")
            .WithDescription("Components not given are copied from basedOn. 201 with Location for a new version; 200 with the existing version when the content is the same as one.")
            .AcceptsBody<VersionManifest>()
            .Produces<VersionView>(StatusCodes.Status201Created)
            .Produces<VersionView>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        versions.MapGet("/agents/{agent}/versions", ListAsync)
            .WithName("ListVersions")
            .WithSummary("Every version of an agent")
            .Produces<VersionListView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        versions.MapGet("/agents/{agent}/versions/{number:int}", GetAsync)
            .WithName("GetVersion")
            .WithSummary("One version")
            .Produces<VersionView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        foreach (var (method, name) in new[] { (HttpMethods.Put, "ReplaceVersion"), (HttpMethods.Patch, "PatchVersion"), (HttpMethods.Delete, "DeleteVersion") })
        {
            versions.MapMethods("/agents/{agent}/versions/{number}", [method], Immutable)
                .WithName(name)
                .WithSummary("Refused: versions are immutable")
                .WithDescription("Always 405 version-immutable with Allow: GET; create a new version instead.")
                .ProducesProblem(StatusCodes.Status405MethodNotAllowed);
        }
        versions.MapGet("/agents/{agent}/versions/{a:int}/diff/{b:int}", DiffAsync)
            .WithName("DiffVersions")
            .WithSummary("Compare two versions component by component")
            .Produces<DiffView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> CreateAsync(string agent, HttpContext context, VersionService versions, IRollgateStore store)
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

        switch (await versions.CreateAsync(agent, manifest!, context.Actor(), context.RequestAborted))
        {
            case VersionCreateOutcome.Created created:
                return Results.Json(VersionView.Of(created.Version, null), RollgateJson.Options, statusCode: StatusCodes.Status201Created)
                    .WithLocation(Location(agent, created.Version));
            case VersionCreateOutcome.Existing existing:
                var state = (await store.GetAgentAsync(agent, context.RequestAborted))?.State;
                return Results.Json(VersionView.Of(existing.Version, state), RollgateJson.Options).WithLocation(Location(agent, existing.Version));
            case VersionCreateOutcome.Invalid invalid:
                return AdminProblems.Validation(invalid.Errors);
            default:
                return AdminProblems.UnknownAgent(agent);
        }
    }

    private static string Location(string agent, AgentVersion version)
        => $"/admin/agents/{agent}/versions/{version.Number.ToString(CultureInfo.InvariantCulture)}";

    private static async Task<IResult> ListAsync(string agent, IRollgateStore store, CancellationToken cancellationToken)
    {
        if (!AgentName.IsValid(agent))
        {
            return AdminProblems.InvalidAgentName(agent);
        }

        if (await store.GetAgentAsync(agent, cancellationToken) is not { } record)
        {
            return AdminProblems.UnknownAgent(agent);
        }

        var versions = await store.ListVersionsAsync(agent, cancellationToken);
        return Results.Json(new VersionListView(versions.Select(v => VersionView.Of(v, record.State)).ToArray()), RollgateJson.Options);
    }

    private static async Task<IResult> GetAsync(string agent, int number, IRollgateStore store, CancellationToken cancellationToken)
    {
        if (!AgentName.IsValid(agent))
        {
            return AdminProblems.InvalidAgentName(agent);
        }

        if (await store.GetAgentAsync(agent, cancellationToken) is not { } record)
        {
            return AdminProblems.UnknownAgent(agent);
        }

        var version = await store.GetVersionAsync(agent, number, cancellationToken);
        return version is null ? UnknownVersion(agent, number) : Results.Json(VersionView.Of(version, record.State), RollgateJson.Options);
    }

    private static async Task<IResult> DiffAsync(string agent, int a, int b, IRollgateStore store, CancellationToken cancellationToken)
    {
        if (!AgentName.IsValid(agent))
        {
            return AdminProblems.InvalidAgentName(agent);
        }

        if (await store.GetAgentAsync(agent, cancellationToken) is null)
        {
            return AdminProblems.UnknownAgent(agent);
        }

        var left = await store.GetVersionAsync(agent, a, cancellationToken);
        var right = await store.GetVersionAsync(agent, b, cancellationToken);
        if (left is null || right is null)
        {
            return UnknownVersion(agent, left is null ? a : b);
        }

        return Results.Json(new DiffView(a, b, VersionDiff.Compare(left, right)), RollgateJson.Options);
    }

    /// <param name="agent">Named for the API description; a version is immutable whatever the agent.</param>
    /// <param name="number">Named for the API description, as <paramref name="agent"/>.</param>
    /// <param name="context">The request.</param>
    private static IResult Immutable(string agent, string number, HttpContext context)
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
