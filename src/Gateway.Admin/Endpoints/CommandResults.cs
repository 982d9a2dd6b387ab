using Microsoft.AspNetCore.Http;
using Rollgate.Admin.Http;
using Rollgate.Admin.Views;
using Rollgate.Release;

namespace Rollgate.Admin.Endpoints;

/// <summary>Maps a <see cref="CommandResult"/> to its HTTP answer, so every command reports outcomes the same way.</summary>
internal static class CommandResults
{
    public static IResult ToHttp(this CommandResult result, HttpContext context, DateTimeOffset now, Func<CommandResult.Committed, object>? body = null)
    {
        switch (result)
        {
            case CommandResult.Committed committed:
                Generation.SetETag(context, committed.Record.Generation);
                return Results.Json(body?.Invoke(committed) ?? new ChangeView(AgentView.From(committed.Record, now), committed.Event, Math.Round(committed.Timings.ApplyMs, 3)),
                    Rollgate.Json.RollgateJson.Options);
            case CommandResult.NotFound notFound:
                return AdminProblems.UnknownAgent(notFound.Agent);
            case CommandResult.PreconditionFailed failed:
                Generation.SetETag(context, failed.CurrentGeneration);
                return AdminProblems.PreconditionFailed(failed.CurrentGeneration);
            case CommandResult.Refused refused:
                return AdminProblems.Refused(refused);
            default:
                throw new InvalidOperationException($"Unknown command result {result.GetType().Name}");
        }
    }
}
