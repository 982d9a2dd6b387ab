using Rollgate.Routing;

namespace Rollgate.Managed;

/// <summary>The problems the data path answers for managed agents; like every data-path problem they carry <c>X-Request-Id</c>.</summary>
public static class ManagedProblems
{
    public static Task UnknownPathAsync(HttpContext context, AgentRoute agent, string requestId)
        => ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status404NotFound, "not-found", "Not found",
            $"Agent '{agent.Name}' is managed: it answers POST …/v1/chat/completions and GET …/v1/models.");

    public static Task MethodNotAllowedAsync(HttpContext context, string allow, string requestId)
    {
        context.Response.Headers.Allow = allow;
        return ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status405MethodNotAllowed, "method-not-allowed", "Method not allowed",
            $"This path answers {allow} only.");
    }

    /// <param name="problem">What is wrong, led by the field it is about.</param>
    public static Task InvalidChatRequestAsync(HttpContext context, string problem, string requestId)
        => ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status400BadRequest, "invalid-chat-request", "Invalid chat request",
            $"Not a chat completion request: {problem}.");

    /// <summary>Names the rule that blocked, never the text it matched.</summary>
    public static Task GuardrailBlockedAsync(HttpContext context, string rule, bool answer, string requestId)
        => ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status422UnprocessableEntity, "guardrail-blocked", "Blocked by a guardrail",
            answer ? $"The model's answer was blocked by {rule}." : $"The request was blocked by {rule}.",
            new Dictionary<string, object?> { ["rule"] = rule });

    public static Task KeyMissingAsync(HttpContext context, VersionTarget target, ManagedModel model, string requestId)
        => ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status503ServiceUnavailable, "model-key-missing", "Model key missing",
            $"Version {target.NumberText} of '{target.Agent}' calls model '{model.Name}' with the key in the environment variable {model.ApiKeyEnv}, which is not set on this gateway.");

    /// <summary>A version created before its agent became managed, without <c>model.name</c> and <c>model.endpoint</c>.</summary>
    public static Task NoModelAsync(HttpContext context, VersionTarget target, string requestId)
        => ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status503ServiceUnavailable, "model-not-configured", "No model to call",
            $"Version {target.NumberText} of '{target.Agent}' names no model to call (model.name and model.endpoint); deploy a version that does.");

    /// <param name="failures">Each model tried and what became of it, such as <c>gpt-4o (503)</c>.</param>
    public static Task UnavailableAsync(HttpContext context, VersionTarget target, string failures, string requestId)
        => ProblemResponses.WriteAsync(context, requestId, StatusCodes.Status502BadGateway, "model-unavailable", "Model unavailable",
            $"Version {target.NumberText} of '{target.Agent}': no model answered: {failures}.");
}
