using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rollgate.Admin.Auth;
using Rollgate.Admin.Http;
using Rollgate.Admin.Views;
using Rollgate.Agents;
using Rollgate.Json;
using Rollgate.Observability;
using Rollgate.Release;
using Rollgate.Stores;
using Rollgate.Validation;

namespace Rollgate.Admin.Endpoints;

/// <summary>Release commands: deploy, promote, pause, resume, weight, rollback; and the history they leave.</summary>
internal static class ReleaseEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        admin.MapPost("/agents/{agent}/deployments", DeployAsync);
        admin.MapPost("/agents/{agent}/promote", (string agent, HttpContext context, ReleaseManager releases, TimeProvider time)
            => RunAsync(agent, context, releases, time, (record, ctx) => ReleaseTransitions.Promote(record.State, ctx)));
        admin.MapPost("/agents/{agent}/pause", PauseAsync);
        admin.MapPost("/agents/{agent}/resume", (string agent, HttpContext context, ReleaseManager releases, TimeProvider time)
            => RunAsync(agent, context, releases, time, (record, ctx) => ReleaseTransitions.Resume(record.State, ctx)));
        admin.MapPost("/agents/{agent}/weight", WeightAsync);
        admin.MapPost("/agents/{agent}/rollback", RollbackAsync);
        admin.MapGet("/agents/{agent}/history", HistoryAsync);
    }

    private static async Task<IResult> DeployAsync(string agent, HttpContext context, ReleaseManager releases, IRollgateStore store, TimeProvider time)
    {
        var (request, error) = await ReadAsync<DeploymentRequest>(agent, context);
        if (error is not null)
        {
            return error;
        }

        var errors = new ValidationErrors();
        if (request!.Version is not { } version || version < 1)
        {
            errors.Add("version", "is required: the number of the version to deploy");
        }

        if (request.Strategy is not (null or "canary" or "immediate"))
        {
            errors.Add("strategy", "must be \"canary\" or \"immediate\"");
        }

        if (request.Steps is not null || request.StepDuration is not null)
        {
            AgentDefinitionValidator.ValidateRollout(new RolloutPlan
            {
                Steps = request.Steps ?? RolloutPlan.Default.Steps,
                StepDuration = request.StepDuration ?? RolloutPlan.Default.StepDuration,
            }, "", errors);
        }

        if (!errors.IsEmpty)
        {
            return AdminProblems.Validation(errors);
        }

        if (await VersionMissingAsync(agent, request.Version!.Value, "version", store, context.RequestAborted) is { } missing)
        {
            return missing;
        }

        return await RunAsync(agent, context, releases, time, (record, ctx) =>
        {
            var strategy = request.Strategy ?? (record.State.Stable is null ? "immediate" : "canary");
            if (strategy == "immediate")
            {
                return ReleaseTransitions.DeployImmediate(record.State, request.Version.Value, ctx);
            }

            var plan = new RolloutPlan
            {
                Steps = request.Steps ?? record.Definition.Rollout.Steps,
                StepDuration = request.StepDuration ?? record.Definition.Rollout.StepDuration,
            };
            return ReleaseTransitions.DeployCanary(record.State, request.Version.Value, plan, ctx);
        });
    }

    private static async Task<IResult> PauseAsync(string agent, HttpContext context, ReleaseManager releases, TimeProvider time)
    {
        var (request, error) = await ReadAsync<PauseRequest>(agent, context, allowEmpty: true);
        return error ?? await RunAsync(agent, context, releases, time, (record, ctx) => ReleaseTransitions.Pause(record.State, ctx, request?.Reason));
    }

    private static async Task<IResult> WeightAsync(string agent, HttpContext context, ReleaseManager releases, TimeProvider time)
    {
        var (request, error) = await ReadAsync<WeightRequest>(agent, context);
        if (error is not null)
        {
            return error;
        }

        if (request!.CanaryPercent is not { } percent || !(percent >= 0 && percent <= 100))
        {
            return AdminProblems.Validation(AdminProblems.Single("canaryPercent", "is required: a number from 0 to 100"));
        }

        return await RunAsync(agent, context, releases, time, (record, ctx) => ReleaseTransitions.Weight(record.State, percent, ctx));
    }

    private static async Task<IResult> RollbackAsync(string agent, HttpContext context, ReleaseManager releases, IRollgateStore store, TimeProvider time)
    {
        var (request, error) = await ReadAsync<RollbackRequest>(agent, context, allowEmpty: true);
        if (error is not null)
        {
            return error;
        }

        request ??= new RollbackRequest();
        if (request.Reason is { Length: > 1000 })
        {
            return AdminProblems.Validation(AdminProblems.Single("reason", "must be at most 1000 characters"));
        }

        if (request.To is { } to && await VersionMissingAsync(agent, to, "to", store, context.RequestAborted) is { } missing)
        {
            return missing;
        }

        if (!Generation.TryReadIfMatch(context, out var ifMatch))
        {
            return AdminProblems.Validation(AdminProblems.Single("If-Match", "must be a generation such as \"17\""));
        }

        var result = await releases.ExecuteAsync(agent, ifMatch, context.Actor(),
            (record, ctx) => ReleaseTransitions.Rollback(record.State, request.To, request.Reason ?? "manual rollback", ctx),
            context.RequestAborted, waitForFleet: true);
        if (result is CommandResult.Committed committed)
        {
            RollgateMetrics.Rollbacks.WithLabels(agent, "manual").Inc();
            RollgateMetrics.RollbackApply.WithLabels(agent).Observe(committed.Timings.ApplyMs / 1000);
        }

        return result.ToHttp(context, time.GetUtcNow(), committed => RollbackView.Of(committed, "manual"));
    }

    private static async Task<IResult> HistoryAsync(string agent, HttpContext context, IRollgateStore store)
    {
        if (!AgentName.IsValid(agent))
        {
            return AdminProblems.InvalidAgentName(agent);
        }

        var limitText = context.Request.Query["limit"].ToString();
        var limit = 100;
        if (limitText.Length > 0 && (!int.TryParse(limitText, out limit) || limit < 1 || limit > 10_000))
        {
            return AdminProblems.Validation(AdminProblems.Single("limit", "must be an integer from 1 to 10000"));
        }

        if (await store.GetAgentAsync(agent, context.RequestAborted) is null)
        {
            return AdminProblems.UnknownAgent(agent);
        }

        return Results.Json(new { events = await store.GetHistoryAsync(agent, limit, context.RequestAborted) }, RollgateJson.Options);
    }

    private static async Task<IResult> RunAsync(string agent, HttpContext context, ReleaseManager releases, TimeProvider time,
        Func<AgentRecord, TransitionContext, TransitionOutcome> transition)
    {
        if (!AgentName.IsValid(agent))
        {
            return AdminProblems.InvalidAgentName(agent);
        }

        if (!Generation.TryReadIfMatch(context, out var ifMatch))
        {
            return AdminProblems.Validation(AdminProblems.Single("If-Match", "must be a generation such as \"17\""));
        }

        var result = await releases.ExecuteAsync(agent, ifMatch, context.Actor(), transition, context.RequestAborted);
        return result.ToHttp(context, time.GetUtcNow());
    }

    private static async Task<(T? Value, IResult? Error)> ReadAsync<T>(string agent, HttpContext context, bool allowEmpty = false)
        where T : class
        => AgentName.IsValid(agent) ? await JsonBody.ReadAsync<T>(context, allowEmpty) : (null, AdminProblems.InvalidAgentName(agent));

    private static async Task<IResult?> VersionMissingAsync(string agent, int number, string field, IRollgateStore store, CancellationToken cancellationToken)
    {
        if (await store.GetAgentAsync(agent, cancellationToken) is null)
        {
            return AdminProblems.UnknownAgent(agent);
        }

        return await store.GetVersionAsync(agent, number, cancellationToken) is null
            ? AdminProblems.Validation(AdminProblems.Single(field, $"agent '{agent}' has no version {number}"))
            : null;
    }
}
