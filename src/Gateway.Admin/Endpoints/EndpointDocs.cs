using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Rollgate.Admin.Views;

namespace Rollgate.Admin.Endpoints;

/// <summary>The answers admin endpoints share, declared once for the OpenAPI document.</summary>
internal static class EndpointDocs
{
    /// <summary>A JSON request body (strictly read, at most 1 MiB): a 400 names each wrong field, a larger body is a 413.</summary>
    public static RouteHandlerBuilder AcceptsBody<T>(this RouteHandlerBuilder builder, bool optional = false)
        where T : notnull
        => builder.Accepts<T>(optional, "application/json").ProducesValidationProblem().ProducesProblem(StatusCodes.Status413PayloadTooLarge);

    /// <summary>The answers of a release command other than rollback and drill: the change and its event, or a problem.</summary>
    public static RouteHandlerBuilder ProducesChange(this RouteHandlerBuilder builder)
        => builder.Produces<ChangeView>().ProducesCommandProblems();

    /// <summary>What a release command can be refused with: a bad agent name, an unknown agent, a conflict with the release state, If-Match.</summary>
    public static RouteHandlerBuilder ProducesCommandProblems(this RouteHandlerBuilder builder)
        => builder.WithConditionalChange()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

    /// <summary>The change can be made conditional with <c>If-Match: "&lt;generation&gt;"</c> (412 when the agent moved on).</summary>
    public static RouteHandlerBuilder WithConditionalChange(this RouteHandlerBuilder builder)
        => builder.WithMetadata(ConditionalChange.Instance).ProducesProblem(StatusCodes.Status412PreconditionFailed);
}

/// <summary>Endpoint metadata: the endpoint honours <c>If-Match</c>.</summary>
public sealed class ConditionalChange
{
    public static readonly ConditionalChange Instance = new();

    private ConditionalChange()
    {
    }
}
