using System.ComponentModel;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rollgate.Admin.Auth;
using Rollgate.Admin.Http;
using Rollgate.Admin.Views;
using Rollgate.Agents;
using Rollgate.Drills;
using Rollgate.Evals;
using Rollgate.Json;
using Rollgate.Release;
using Rollgate.Stores;
using Rollgate.Validation;

namespace Rollgate.Admin.Endpoints;

/// <summary>Release commands: deploy, promote, pause, resume, weight, rollback, drill; and the history they leave.</summary>
internal static class ReleaseEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        var release = admin.MapGroup("").WithTags("Release");
        release.MapPost("/agents/{agent}/deployments", DeployAsync)
            .WithName("Deploy")
            .WithSummary("Deploy a version as a canary or immediately")
            .AcceptsBody<DeploymentRequest>()
            .ProducesChange();
        release.MapPost("/agents/{agent}/promote", (string agent, HttpContext context, ReleaseCommands commands, TimeProvider time)
                => RunAsync(agent, context, time, (issuer, ct) => commands.PromoteAsync(agent, issuer, ct)))
            .WithName("Promote")
            .WithSummary("Move the canary to its next step; past the last step it becomes the stable")
            .ProducesChange();
        release.MapPost("/agents/{agent}/pause", PauseAsync)
            .WithName("Pause")
            .WithSummary("Stop the canary's rollout where it is")
            .AcceptsBody<PauseRequest>(optional: true)
            .ProducesChange();
        release.MapPost("/agents/{agent}/resume", (string agent, HttpContext context, ReleaseCommands commands, TimeProvider time)
                => RunAsync(agent, context, time, (issuer, ct) => commands.ResumeAsync(agent, issuer, ct)))
            .WithName("Resume")
            .WithSummary("Let a paused rollout go on; its current step starts over")
            .ProducesChange();
        release.MapPost("/agents/{agent}/weight", WeightAsync)
            .WithName("Weight")
            .WithSummary("Set the canary's share of traffic")
            .AcceptsBody<WeightRequest>()
            .ProducesChange();
        release.MapPost("/agents/{agent}/rollback", RollbackAsync)
            .WithName("Rollback")
            .WithSummary("Roll back in one step")
            .WithDescription("Without to: the canary is removed, or the stable returns to the newest known-good (else earlier stable) version never rolled back from. The answer says how fast the change reached this replica and the fleet.")
            .AcceptsBody<RollbackRequest>(optional: true)
            .Produces<RollbackView>()
            .ProducesCommandProblems();
        release.MapPost("/agents/{agent}/drill", DrillAsync)
            .WithName("Drill")
            .WithSummary("Rollback drill: roll back to the default target, verify, restore, verify")
            .WithDescription("Answers 200 whether the drill passed or failed (result, failure); refused with 409 during a canary rollout, while degraded, with no rollback target, or while another drill runs.")
            .Produces<DrillView>()
            .ProducesCommandProblems();
        release.MapGet("/agents/{agent}/history", HistoryAsync)
            .WithName("History")
            .WithSummary("History events, newest first")
            .Produces<HistoryView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> DeployAsync(string agent, HttpContext context, ReleaseCommands commands, IRollgateStore store, IEvalRunner runner, TimeProvider time)
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

        if (await GateAsync(agent, request, context, store, runner) is { } refused)
        {
            return refused;
        }

        var deployment = new Deployment(request.Version.Value)
        {
            Strategy = request.Strategy switch
            {
                "immediate" => DeployStrategy.Immediate,
                "canary" => DeployStrategy.Canary,
                _ => null,
            },
            Steps = request.Steps,
            StepDuration = request.StepDuration,
        };
        return await RunAsync(agent, context, time, (issuer, ct) => commands.DeployAsync(agent, deployment, issuer, ct));
    }

    /// <summary>
    /// With <c>rollout.gate</c>, a canary deployment first runs the gate's suite against the canary version; below the
    /// minimum pass rate it is refused before anything is committed. Immediate deployments are not gated: they are the
    /// operator's explicit choice to skip the canary.
    /// </summary>
    private static async Task<IResult?> GateAsync(string agent, DeploymentRequest request, HttpContext context, IRollgateStore store, IEvalRunner runner)
    {
        if (await store.GetAgentAsync(agent, context.RequestAborted) is not { Definition.Rollout.Gate: { } gate } record)
        {
            return null;
        }

        // Only a canary the release command would start is run against: one it refuses anyway (no stable, a canary
        // already running, the stable itself) is answered by its own conflict, without a run.
        var canary = request.Strategy == "canary" || (request.Strategy is null && record.State.Stable is not null);
        if (!canary || record.State.Stable is null || record.State.Canary is not null || record.State.Stable == request.Version)
        {
            return null;
        }

        var (result, problem) = await EvalRuns.RunAsync(context, record, gate.Suite!, request.Version!.Value, store, runner, context.RequestAborted);
        if (problem is not null)
        {
            return problem;
        }

        return result!.PassRate >= gate.MinPassRate
            ? null
            : AdminProblems.Problem(StatusCodes.Status409Conflict, "eval-gate-failed", "Eval gate failed",
                $"Version {result.Version} passed {result.Passed} of {result.Total} cases of eval suite '{gate.Suite}' ({result.PassRate:P0}), below the gate's {gate.MinPassRate:P0}; nothing was deployed.",
                new Dictionary<string, object?> { ["result"] = result });
    }

    private static async Task<IResult> PauseAsync(string agent, HttpContext context, ReleaseCommands commands, TimeProvider time)
    {
        var (request, error) = await ReadAsync<PauseRequest>(agent, context, allowEmpty: true);
        return error ?? await RunAsync(agent, context, time, (issuer, ct) => commands.PauseAsync(agent, request?.Reason, issuer, ct));
    }

    private static async Task<IResult> WeightAsync(string agent, HttpContext context, ReleaseCommands commands, TimeProvider time)
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

        return await RunAsync(agent, context, time, (issuer, ct) => commands.WeightAsync(agent, percent, issuer, ct));
    }

    private static async Task<IResult> RollbackAsync(string agent, HttpContext context, ReleaseCommands commands, IRollgateStore store, TimeProvider time)
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

        var (issuer, invalid) = CommandIssuers.Read(context);
        if (invalid is not null)
        {
            return invalid;
        }

        var result = await commands.RollbackAsync(agent, request.To, request.Reason, RollbackTrigger.Manual, issuer!, context.RequestAborted);
        return result.ToHttp(context, time.GetUtcNow(), committed => RollbackView.Of(committed, RollbackTrigger.Manual));
    }

    private static async Task<IResult> DrillAsync(string agent, HttpContext context, DrillRunner drills, TimeProvider time)
    {
        if (!AgentName.IsValid(agent))
        {
            return AdminProblems.InvalidAgentName(agent);
        }

        var (issuer, invalid) = CommandIssuers.Read(context);
        if (invalid is not null)
        {
            return invalid;
        }

        switch (await drills.RunAsync(agent, issuer!, context.RequestAborted))
        {
            case DrillOutcome.Ran ran:
                if (ran.Recorded is CommandResult.Committed recorded)
                {
                    Generation.SetETag(context, recorded.Record.Generation);
                }

                return Results.Json(DrillView.Of(ran.Report, ran.Recorded), RollgateJson.Options);
            case DrillOutcome.NotRun notRun:
                return notRun.Result.ToHttp(context, time.GetUtcNow());
            default:
                throw new InvalidOperationException("Unknown drill outcome");
        }
    }

    private static async Task<IResult> HistoryAsync(string agent, HttpContext context, IRollgateStore store,
        [Description(HistoryLimit.Description)] string? limit)
    {
        if (!AgentName.IsValid(agent))
        {
            return AdminProblems.InvalidAgentName(agent);
        }

        var (count, invalid) = HistoryLimit.Read(limit);
        if (invalid is not null)
        {
            return invalid;
        }

        if (await store.GetAgentAsync(agent, context.RequestAborted) is null)
        {
            return AdminProblems.UnknownAgent(agent);
        }

        return Results.Json(new HistoryView(await store.GetHistoryAsync(agent, count, context.RequestAborted)), RollgateJson.Options);
    }

    private static async Task<IResult> RunAsync(string agent, HttpContext context, TimeProvider time,
        Func<CommandIssuer, CancellationToken, Task<CommandResult>> command)
    {
        if (!AgentName.IsValid(agent))
        {
            return AdminProblems.InvalidAgentName(agent);
        }

        var (issuer, invalid) = CommandIssuers.Read(context);
        if (invalid is not null)
        {
            return invalid;
        }

        var result = await command(issuer!, context.RequestAborted);
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
