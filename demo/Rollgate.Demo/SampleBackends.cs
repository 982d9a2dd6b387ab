using System.Text.Json.Nodes;

namespace Rollgate.Demo;

/// <summary>Two stand-in agent backends answering chat-completion-like JSON, as a model-backed agent would.</summary>
public static class SampleBackends
{
    /// <summary>v1: right answers (98% of tasks completed), ~25 ms, modest token usage, a 5xx on 1% of requests.</summary>
    public static Task<InProcessHost> StartGoodAsync(CancellationToken cancellationToken) => StartAsync(async context =>
    {
        await Task.Delay(Random.Shared.Next(15, 35), context.RequestAborted);
        if (Random.Shared.NextDouble() < 0.01)
        {
            await ServerErrorAsync(context, "model provider timeout");
            return;
        }

        var completed = Random.Shared.NextDouble() >= 0.02;
        await AnswerAsync(context, "support-bot-v1", completed,
            completed ? "Your order #1234 shipped yesterday; the tracking link is in your inbox." : "Let me check with a colleague and come back to you.",
            promptTokens: 120, completionTokens: 40);
    }, cancellationToken);

    /// <summary>v2: 5xx on 40% of requests, a wrong answer on half the rest, ~100 ms, three times the tokens.</summary>
    public static Task<InProcessHost> StartBadAsync(CancellationToken cancellationToken) => StartAsync(async context =>
    {
        await Task.Delay(Random.Shared.Next(60, 140), context.RequestAborted);
        if (Random.Shared.NextDouble() < 0.40)
        {
            await ServerErrorAsync(context, "tool call loop exceeded");
            return;
        }

        var completed = Random.Shared.NextDouble() >= 0.5;
        await AnswerAsync(context, "support-bot-v2", completed,
            completed ? "Shipped." : "Orders cannot be tracked. Please reinstall the app.",
            promptTokens: 380, completionTokens: 140);
    }, cancellationToken);

    private static async Task<InProcessHost> StartAsync(RequestDelegate handler, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        InProcessHost.OwnShutdown(builder.Services);
        var app = builder.Build();
        app.Run(handler);
        return await InProcessHost.StartAsync(app, cancellationToken);
    }

    private static Task ServerErrorAsync(HttpContext context, string message)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "application/json";
        var body = new JsonObject { ["error"] = new JsonObject { ["type"] = "server_error", ["message"] = message } };
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private static Task AnswerAsync(HttpContext context, string model, bool completed, string answer, int promptTokens, int completionTokens)
    {
        var body = new JsonObject
        {
            ["id"] = "chatcmpl-" + Guid.NewGuid().ToString("N")[..12],
            ["object"] = "chat.completion",
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = answer },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject
            {
                ["prompt_tokens"] = promptTokens,
                ["completion_tokens"] = completionTokens,
                ["total_tokens"] = promptTokens + completionTokens,
            },
        };
        context.Response.Headers[RollgateHeaders.Outcome] = completed ? "completed" : "failed";
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }
}
