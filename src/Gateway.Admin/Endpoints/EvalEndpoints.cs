using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rollgate.Admin.Http;
using Rollgate.Agents;
using Rollgate.Evals;
using Rollgate.Json;
using Rollgate.Stores;

namespace Rollgate.Admin.Endpoints;

/// <summary>Eval suites of an agent, their runs against a version, and the stored results.</summary>
internal static class EvalEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        var evals = admin.MapGroup("").WithTags("Evals");
        evals.MapPut("/agents/{agent}/evals/{suite}", PutAsync)
            .WithName("PutEvalSuite")
            .WithSummary("Store or replace an eval suite")
            .WithDescription("201 when the suite is new, 200 when replaced; If-Match with the suite's generation guards against lost updates.")
            .AcceptsBody<EvalSuite>()
            .Produces<EvalSuiteRecord>(StatusCodes.Status201Created)
            .Produces<EvalSuiteRecord>()
            .WithConditionalChange();
        evals.MapGet("/agents/{agent}/evals/{suite}", GetAsync)
            .WithName("GetEvalSuite")
            .WithSummary("One eval suite")
            .Produces<EvalSuiteRecord>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        evals.MapPost("/agents/{agent}/versions/{version}/evals/{suite}", RunAsync)
            .WithName("RunEvalSuite")
            .WithSummary("Run an eval suite against a version through the data path, as a preview")
            .WithDescription("Answers 200 with the stored result whether the cases passed or not; every run is an 'eval' history event.")
            .Produces<EvalResult>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        evals.MapGet("/agents/{agent}/evals/{suite}/results/{id}", ResultAsync)
            .WithName("GetEvalResult")
            .WithSummary("One stored eval result")
            .Produces<EvalResult>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> PutAsync(string agent, string suite, HttpContext context, IRollgateStore store, TimeProvider time)
    {
        if (Invalid(agent, suite) is { } invalid)
        {
            return invalid;
        }

        if (!Generation.TryReadIfMatch(context, out var ifMatch))
        {
            return AdminProblems.InvalidIfMatch();
        }

        var (body, error) = await JsonBody.ReadAsync<EvalSuite>(context);
        if (error is not null)
        {
            return error;
        }

        var errors = EvalSuiteValidator.Validate(body!);
        if (!errors.IsEmpty)
        {
            return AdminProblems.Validation(errors);
        }

        if (await store.GetAgentAsync(agent, context.RequestAborted) is null)
        {
            return AdminProblems.UnknownAgent(agent);
        }

        var current = await store.GetEvalSuiteAsync(agent, suite, context.RequestAborted);
        var generation = current?.Generation ?? 0;
        if (ifMatch is { } expected && expected != generation)
        {
            return AdminProblems.PreconditionFailed(generation);
        }

        var now = time.GetUtcNow();
        var next = new EvalSuiteRecord
        {
            Agent = agent,
            Name = suite,
            Generation = generation + 1,
            Suite = body!,
            CreatedAt = current?.CreatedAt ?? now,
            UpdatedAt = now,
        };
        if (!await store.TryCommitEvalSuiteAsync(next, context.RequestAborted))
        {
            var latest = await store.GetEvalSuiteAsync(agent, suite, context.RequestAborted);
            return AdminProblems.PreconditionFailed(latest?.Generation ?? 0);
        }

        Generation.SetETag(context, next.Generation);
        return current is null
            ? Results.Json(next, RollgateJson.Options, statusCode: StatusCodes.Status201Created).WithLocation($"{AdminApi.Prefix}/agents/{agent}/evals/{suite}")
            : Results.Json(next, RollgateJson.Options);
    }

    private static async Task<IResult> GetAsync(string agent, string suite, HttpContext context, IRollgateStore store)
    {
        if (Invalid(agent, suite) is { } invalid)
        {
            return invalid;
        }

        if (await store.GetEvalSuiteAsync(agent, suite, context.RequestAborted) is not { } record)
        {
            return await store.GetAgentAsync(agent, context.RequestAborted) is null ? AdminProblems.UnknownAgent(agent) : EvalRuns.UnknownSuite(agent, suite);
        }

        Generation.SetETag(context, record.Generation);
        return Results.Json(record, RollgateJson.Options);
    }

    private static async Task<IResult> RunAsync(string agent, string version, string suite, HttpContext context, IRollgateStore store, IEvalRunner runner)
    {
        if (Invalid(agent, suite) is { } invalid)
        {
            return invalid;
        }

        if (!int.TryParse(version, out var number) || number < 1)
        {
            return AdminProblems.Validation(AdminProblems.Single("version", "must be a version number such as 3"));
        }

        if (await store.GetAgentAsync(agent, context.RequestAborted) is not { } record)
        {
            return AdminProblems.UnknownAgent(agent);
        }

        if (await store.GetVersionAsync(agent, number, context.RequestAborted) is null)
        {
            return VersionEndpoints.UnknownVersion(agent, number);
        }

        var (result, problem) = await EvalRuns.RunAsync(context, record, suite, number, store, runner, context.RequestAborted);
        return problem ?? Results.Json(result, RollgateJson.Options);
    }

    private static async Task<IResult> ResultAsync(string agent, string suite, string id, HttpContext context, IRollgateStore store)
    {
        if (Invalid(agent, suite) is { } invalid)
        {
            return invalid;
        }

        return await store.GetEvalResultAsync(agent, suite, id, context.RequestAborted) is { } result
            ? Results.Json(result, RollgateJson.Options)
            : AdminProblems.Problem(StatusCodes.Status404NotFound, "unknown-eval-result", "Unknown eval result", $"Suite '{suite}' of agent '{agent}' has no result '{id}'.");
    }

    private static IResult? Invalid(string agent, string suite)
        => !AgentName.IsValid(agent) ? AdminProblems.InvalidAgentName(agent)
            : !EvalSuiteValidator.IsValidName(suite) ? EvalRuns.InvalidSuiteName(suite)
            : null;
}
