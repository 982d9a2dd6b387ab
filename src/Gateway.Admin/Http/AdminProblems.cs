using Microsoft.AspNetCore.Http;
using Rollgate.Admin.Auth;
using Rollgate.Release;
using Rollgate.Security;
using Rollgate.Validation;

namespace Rollgate.Admin.Http;

/// <summary>The admin API's RFC 9457 problem responses, with stable <c>type</c> URIs operators can match on.</summary>
public static class AdminProblems
{
    public static IResult Problem(int status, string type, string title, string detail, IDictionary<string, object?>? extensions = null)
        => Results.Problem(detail: detail, statusCode: status, title: title, type: ProblemTypes.Base + type, extensions: extensions);

    public static IResult Unauthorized()
        => Problem(StatusCodes.Status401Unauthorized, "unauthorized", "Unauthorized", "Send 'Authorization: Bearer <token>' with a configured admin token.");

    public static IResult Forbidden(ApiToken token, AdminPermission permission)
        => Problem(StatusCodes.Status403Forbidden, "forbidden", "Forbidden",
            $"Token '{token.Name}' has role {token.Role.ToString().ToLowerInvariant()}, which may not {permission.ToString().ToLowerInvariant()}.");

    public static IResult UnknownAgent(string agent)
        => Problem(StatusCodes.Status404NotFound, "unknown-agent", "Unknown agent", $"No agent named '{agent}' exists.");

    public static IResult InvalidAgentName(string agent)
        => Validation(Single("agent", $"'{agent}' is not a valid agent name: lower-case letters, digits and '-', starting with a letter or digit, at most 63 characters"));

    public static IResult UnknownTool(string tool)
        => Problem(StatusCodes.Status404NotFound, "unknown-tool", "Unknown tool", $"No tool named '{tool}' is registered.");

    public static IResult InvalidToolName(string tool)
        => Validation(Single("tool", $"'{tool}' is not a valid tool name: lower-case letters, digits and '-', starting with a letter or digit, at most 63 characters"));

    public static IResult Validation(ValidationErrors errors)
        => Results.ValidationProblem(errors.ToDictionary(), title: "Invalid request", type: ProblemTypes.Base + "validation",
            detail: errors.ToString());

    /// <summary><c>If-Match</c> is not an entity tag of a generation.</summary>
    public static IResult InvalidIfMatch()
        => Validation(Single("If-Match", "must be a generation such as \"17\""));

    public static IResult PreconditionFailed(long current)
        => Problem(StatusCodes.Status412PreconditionFailed, "generation-mismatch", "Precondition failed",
            $"If-Match does not match the agent's current generation {current}.", new Dictionary<string, object?> { ["generation"] = current });

    /// <summary>A release command that changed nothing; every refusal is a conflict with the agent's current state.</summary>
    public static IResult Refused(CommandResult.Refused refused)
        => Problem(StatusCodes.Status409Conflict, refused.Reason switch
        {
            RefusalReason.NoRollbackTarget => "no-rollback-target",
            _ => "conflict",
        }, refused.Title, refused.Detail);

    public static ValidationErrors Single(string field, string message)
    {
        var errors = new ValidationErrors();
        errors.Add(field, message);
        return errors;
    }
}
