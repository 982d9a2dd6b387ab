using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Rollgate.Admin.Auth;
using Rollgate.Admin.Http;
using Rollgate.Admin.Views;
using Rollgate.Agents;
using Rollgate.Json;
using Rollgate.Release;
using Rollgate.Rules.Evaluation;
using Rollgate.Signals;
using Rollgate.Stores;

namespace Rollgate.Admin.Endpoints;

/// <summary><c>PUT/GET /admin/agents/{agent}</c> and <c>GET /admin/agents</c>.</summary>
internal static class AgentEndpoints
{
    public static void Map(RouteGroupBuilder admin)
    {
        var agents = admin.MapGroup("").WithTags("Agents");
        agents.MapPut("/agents/{agent}", PutAsync)
            .WithName("PutAgent")
            .WithSummary("Create or replace an agent definition")
            .WithDescription("The body is the whole definition: members left out take their defaults. 201 when the agent is created, 200 when its definition is replaced.")
            .AcceptsBody<AgentDefinition>()
            .Produces<AgentView>(StatusCodes.Status201Created)
            .Produces<AgentView>()
            .WithConditionalChange();
        agents.MapGet("/agents", ListAsync)
            .WithName("ListAgents")
            .WithSummary("Every agent with its release state")
            .Produces<AgentListView>();
        agents.MapGet("/agents/{agent}", GetAsync)
            .WithName("GetAgent")
            .WithSummary("One agent: release state, definition, rule states and drills")
            .Produces<AgentView>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> PutAsync(string agent, HttpContext context, ReleaseCommands commands, FigureStoreOptions figures, TimeProvider time)
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

        var (definition, error) = await JsonBody.ReadAsync<AgentDefinition>(context);
        if (error is not null)
        {
            return error;
        }

        var errors = AgentDefinitionValidator.Validate(definition!, figures.MinuteRetention);
        if (!errors.IsEmpty)
        {
            return AdminProblems.Validation(errors);
        }

        var result = await commands.DefineAsync(agent, definition!, issuer!, context.RequestAborted);
        if (result is CommandResult.Committed { Record.Generation: 1 } created)
        {
            Generation.SetETag(context, created.Record.Generation);
            return Results.Json(AgentView.From(created.Record, time.GetUtcNow()), RollgateJson.Options, statusCode: StatusCodes.Status201Created);
        }

        return result.ToHttp(context, time.GetUtcNow(), committed => AgentView.From(committed.Record, time.GetUtcNow()));
    }

    /// <summary>
    /// Rule states as the controller last published them; a rule not evaluated yet shows <c>insufficient_data</c>.
    /// </summary>
    private static async Task<IReadOnlyList<RuleStateView>> RuleStatesAsync(AgentRecord record, IRuleStateBoard board, CancellationToken cancellationToken)
    {
        IReadOnlyList<RuleStatus>? published = null;
        try
        {
            published = await board.ReadAsync(record.Name, cancellationToken);
        }
        catch (StoreUnavailableException)
        {
            // The release state is still worth answering with; rule states are missing until the store returns.
        }

        var byText = (published ?? []).GroupBy(s => s.Text).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return record.Definition.Rules.Select(text => byText.TryGetValue(text, out var s)
            ? new RuleStateView(text, StateName(s.State), s.Value, s.Baseline) { Subject = s.Subject, SubjectRequests = s.SubjectRequests, BaselineRequests = s.BaselineRequests, EvaluatedAt = s.EvaluatedAt }
            : new RuleStateView(text, "insufficient_data", null, null)).ToArray();
    }

    private static string StateName(RuleStateKind state) => state switch
    {
        RuleStateKind.Ok => "ok",
        RuleStateKind.Pending => "pending",
        RuleStateKind.Firing => "firing",
        _ => "insufficient_data",
    };

    private static async Task<IResult> ListAsync(IRollgateStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var views = new List<AgentView>();
        foreach (var name in await store.ListAgentsAsync(cancellationToken))
        {
            if (await store.GetAgentAsync(name, cancellationToken) is { } record)
            {
                views.Add(AgentView.From(record, now));
            }
        }

        return Results.Json(new AgentListView(views), RollgateJson.Options);
    }

    private static async Task<IResult> GetAsync(string agent, HttpContext context, IRollgateStore store, IRuleStateBoard board, TimeProvider time)
    {
        if (!AgentName.IsValid(agent))
        {
            return AdminProblems.InvalidAgentName(agent);
        }

        var record = await store.GetAgentAsync(agent, context.RequestAborted);
        if (record is null)
        {
            return AdminProblems.UnknownAgent(agent);
        }

        Generation.SetETag(context, record.Generation);
        return Results.Json(AgentView.From(record, time.GetUtcNow(), await RuleStatesAsync(record, board, context.RequestAborted)), RollgateJson.Options);
    }
}
