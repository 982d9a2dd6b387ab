using System.Text.Json.Nodes;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Rollgate.Tests.Managed;

/// <summary>A fake OpenAI-compatible model server (WireMock.Net): answers chat completions as told and keeps what it received.</summary>
internal sealed class ModelEndpoint : IDisposable
{
    private readonly WireMockServer _server = WireMockServer.Start();

    /// <summary>The base URL a version names as <c>model.endpoint</c>.</summary>
    public string Endpoint => _server.Urls[0] + "/v1";

    /// <summary>The server's root, for a passthrough version's backend (the client's <c>/v1/…</c> path is forwarded as it is).</summary>
    public string Root => _server.Urls[0];

    public void Answers(string content, int promptTokens = 1000, int completionTokens = 200)
        => Reply(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Completion(content, promptTokens, completionTokens)));

    /// <summary>Answers only after <paramref name="delay"/>: a model that hangs.</summary>
    public void Hangs(TimeSpan delay)
        => Reply(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(Completion("late", 1, 1)).WithDelay(delay));

    public void Fails(int status = 503)
        => Reply(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody("""{"error":{"message":"overloaded"}}"""));

    /// <summary>A stream of two content chunks and, as OpenAI sends it when asked, a usage event with no choices.</summary>
    public void Streams(string first, string second, int promptTokens, int completionTokens)
        => Reply(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "text/event-stream").WithBody(
            $"data: {Chunk(first, null)}\n\n" +
            $"data: {Chunk(second, "stop")}\n\n" +
            "data: " + new JsonObject
            {
                ["id"] = "chatcmpl-1", ["object"] = "chat.completion.chunk", ["created"] = 1700000000, ["model"] = "m", ["choices"] = new JsonArray(),
                ["usage"] = new JsonObject { ["prompt_tokens"] = promptTokens, ["completion_tokens"] = completionTokens, ["total_tokens"] = promptTokens + completionTokens },
            }.ToJsonString() + "\n\n" +
            "data: [DONE]\n\n"));

    /// <summary>The bodies of the chat requests received so far, oldest first.</summary>
    public IReadOnlyList<JsonObject> Received
        => _server.LogEntries.Where(e => e.RequestMessage.Path == "/v1/chat/completions")
            .Select(e => JsonNode.Parse(e.RequestMessage.Body!)!.AsObject()).ToList();

    /// <summary>The <c>Authorization</c> header of each chat request received.</summary>
    public IReadOnlyList<string?> Authorizations
        => _server.LogEntries.Where(e => e.RequestMessage.Path == "/v1/chat/completions")
            .Select(e => e.RequestMessage.Headers!.TryGetValue("Authorization", out var values) ? values.Single() : null).ToList();

    public int Calls => Received.Count;

    public void Dispose() => _server.Stop();

    private void Reply(IResponseBuilder response)
    {
        _server.ResetMappings();
        _server.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost()).RespondWith(response);
    }

    private static string Completion(string content, int promptTokens, int completionTokens)
        => new JsonObject
        {
            ["id"] = "chatcmpl-1", ["object"] = "chat.completion", ["created"] = 1700000000, ["model"] = "m",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content }, ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = promptTokens, ["completion_tokens"] = completionTokens, ["total_tokens"] = promptTokens + completionTokens },
        }.ToJsonString();

    private static string Chunk(string content, string? finish)
        => new JsonObject
        {
            ["id"] = "chatcmpl-1", ["object"] = "chat.completion.chunk", ["created"] = 1700000000, ["model"] = "m",
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = new JsonObject { ["content"] = content }, ["finish_reason"] = finish }),
        }.ToJsonString();
}
