using System.ComponentModel;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rollgate.Admin.Auth;
using Rollgate.Admin.Http;
using Rollgate.Admin.Views;
using Rollgate.Json;
using Rollgate.Release;
using Rollgate.Stores;
using Rollgate.Tools;

namespace Rollgate.Admin.Endpoints;

/// <summary>The tool registry: <c>PUT/GET/DELETE /admin/tools/{tool}</c>, <c>GET /admin/tools</c> and a tool's history.</summary>
internal static class ToolEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        var tools = admin.MapGroup("").WithTags("Tools");
        tools.MapPut("/tools/{tool}", PutAsync)
            .WithName("PutTool")
            .WithSummary("Register or replace a tool")
            .WithDescription("201 with Location when the tool is registered, 200 when its definition is replaced; this replica calls it by the new definition before answering.")
            .AcceptsBody<ToolDefinition>()
            .Produces<ToolView>(StatusCodes.Status201Created)
            .Produces<ToolView>()
            .WithConditionalChange();
        tools.MapGet("/tools", ListAsync)
            .WithName("ListTools")
            .WithSummary("Every tool with its circuit, combined and per replica")
            .Produces<ToolListView>();
        tools.MapGet("/tools/{tool}", GetAsync)
            .WithName("GetTool")
            .WithSummary("One tool with its circuit, combined and per replica")
            .Produces<ToolView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
        tools.MapDelete("/tools/{tool}", DeleteAsync)
            .WithName("DeleteTool")
            .WithSummary("Remove a tool")
            .WithDescription("204; 409 tool-in-use while a deployed agent's degradation names it.")
            .Produces(StatusCodes.Status204NoContent)
            .WithConditionalChange()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        tools.MapGet("/tools/{tool}/history", HistoryAsync)
            .WithName("ToolHistory")
            .WithSummary("A tool's history events, newest first")
            .Produces<HistoryView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> PutAsync(string tool, HttpContext context, IRollgateStore store, ToolCatalog catalog, ICircuitBoard board, TimeProvider time)
    {
        if (!ToolName.IsValid(tool))
        {
            return AdminProblems.InvalidToolName(tool);
        }

        if (!Generation.TryReadIfMatch(context, out var ifMatch))
        {
            return AdminProblems.InvalidIfMatch();
        }

        var (definition, error) = await JsonBody.ReadAsync<ToolDefinition>(context);
        if (error is not null)
        {
            return error;
        }

        var errors = ToolDefinitionValidator.Validate(definition!);
        if (!errors.IsEmpty)
        {
            return AdminProblems.Validation(errors);
        }

        var current = await store.GetToolAsync(tool, context.RequestAborted);
        var generation = current?.Generation ?? 0;
        if (ifMatch is { } expected && expected != generation)
        {
            return AdminProblems.PreconditionFailed(generation);
        }

        var now = time.GetUtcNow();
        var next = new ToolRecord
        {
            Name = tool,
            Generation = generation + 1,
            Definition = definition!,
            CreatedAt = current?.CreatedAt ?? now,
            UpdatedAt = now,
        };
        var detail = current is null ? "tool registered" : "tool updated";
        if (!await store.TryCommitToolAsync(tool, generation, next, Event(context, now, next.Generation, detail), context.RequestAborted))
        {
            var latest = await store.GetToolAsync(tool, context.RequestAborted);
            return AdminProblems.PreconditionFailed(latest?.Generation ?? 0);
        }

        // This replica calls the tool by its new definition before answering; the others within a second.
        await catalog.RefreshAsync(context.RequestAborted);
        Generation.SetETag(context, next.Generation);
        var view = ToolView.Of(next, await board.ReadAsync(context.RequestAborted));
        return current is null
            ? Results.Json(view, RollgateJson.Options, statusCode: StatusCodes.Status201Created).WithLocation($"{AdminApi.Prefix}/tools/{tool}")
            : Results.Json(view, RollgateJson.Options);
    }

    private static async Task<IResult> ListAsync(IRollgateStore store, ICircuitBoard board, CancellationToken cancellationToken)
    {
        var reports = await board.ReadAsync(cancellationToken);
        var tools = await store.ListToolsAsync(cancellationToken);
        return Results.Json(new ToolListView(tools.Select(t => ToolView.Of(t, reports)).ToArray()), RollgateJson.Options);
    }

    private static async Task<IResult> GetAsync(string tool, HttpContext context, IRollgateStore store, ICircuitBoard board)
    {
        if (!ToolName.IsValid(tool))
        {
            return AdminProblems.InvalidToolName(tool);
        }

        if (await store.GetToolAsync(tool, context.RequestAborted) is not { } record)
        {
            return AdminProblems.UnknownTool(tool);
        }

        Generation.SetETag(context, record.Generation);
        return Results.Json(ToolView.Of(record, await board.ReadAsync(context.RequestAborted)), RollgateJson.Options);
    }

    private static async Task<IResult> DeleteAsync(string tool, HttpContext context, IRollgateStore store, ToolCatalog catalog, TimeProvider time)
    {
        if (!ToolName.IsValid(tool))
        {
            return AdminProblems.InvalidToolName(tool);
        }

        if (!Generation.TryReadIfMatch(context, out var ifMatch))
        {
            return AdminProblems.InvalidIfMatch();
        }

        if (await store.GetToolAsync(tool, context.RequestAborted) is not { } current)
        {
            return AdminProblems.UnknownTool(tool);
        }

        if (ifMatch is { } expected && expected != current.Generation)
        {
            return AdminProblems.PreconditionFailed(current.Generation);
        }

        if (await DependentsAsync(store, tool, context.RequestAborted) is { Count: > 0 } dependents)
        {
            return AdminProblems.Problem(StatusCodes.Status409Conflict, "tool-in-use", "Tool in use",
                $"Tool '{tool}' is named in the degradation of deployed agents: {string.Join(", ", dependents)}. Remove it from their definitions first.",
                new Dictionary<string, object?> { ["agents"] = dependents });
        }

        var now = time.GetUtcNow();
        if (!await store.TryCommitToolAsync(tool, current.Generation, null, Event(context, now, current.Generation + 1, "tool deleted", HistoryEventTypes.Delete),
                context.RequestAborted))
        {
            var latest = await store.GetToolAsync(tool, context.RequestAborted);
            return AdminProblems.PreconditionFailed(latest?.Generation ?? 0);
        }

        await catalog.RefreshAsync(context.RequestAborted);
        return Results.NoContent();
    }

    private static async Task<IResult> HistoryAsync(string tool, HttpContext context, IRollgateStore store, [Description(HistoryLimit.Description)] string? limit)
    {
        if (!ToolName.IsValid(tool))
        {
            return AdminProblems.InvalidToolName(tool);
        }

        var (count, invalid) = HistoryLimit.Read(limit);
        if (invalid is not null)
        {
            return invalid;
        }

        var events = await store.GetToolHistoryAsync(tool, count, context.RequestAborted);
        return events.Count == 0 && await store.GetToolAsync(tool, context.RequestAborted) is null
            ? AdminProblems.UnknownTool(tool)
            : Results.Json(new HistoryView(events), RollgateJson.Options);
    }

    /// <summary>Agents with a deployed version whose definition degrades to another version when this tool fails.</summary>
    private static async Task<IReadOnlyList<string>> DependentsAsync(IRollgateStore store, string tool, CancellationToken cancellationToken)
    {
        var dependents = new List<string>();
        foreach (var name in await store.ListAgentsAsync(cancellationToken))
        {
            if (await store.GetAgentAsync(name, cancellationToken) is { } agent
                && agent.State.Status != ReleaseStatus.Empty
                && agent.Definition.Degradation.Any(d => d.Tool == tool))
            {
                dependents.Add(name);
            }
        }

        return dependents;
    }

    private static HistoryEvent Event(HttpContext context, DateTimeOffset now, long generation, string detail, string type = HistoryEventTypes.Define) => new()
    {
        Id = HistoryEvent.NewId(now),
        At = now,
        Type = type,
        Actor = context.Actor(),
        Generation = generation,
        Detail = detail,
    };
}
