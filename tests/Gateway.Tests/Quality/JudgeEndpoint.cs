using System.Text.Json.Nodes;
using WireMock.Matchers;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Rollgate.Tests.Quality;

/// <summary>A fake judge (WireMock.Net): an OpenAI-compatible chat endpoint that scores answers from a fixed table, or misbehaves as told.</summary>
internal sealed class JudgeEndpoint : IDisposable
{
    private readonly WireMockServer _server = WireMockServer.Start();

    public string Endpoint => _server.Urls[0] + "/v1";

    /// <summary>Scores each answer by the first entry of <paramref name="table"/> whose text the judge's request contains.</summary>
    public void Scores(params (string AnswerContains, double Score)[] table)
    {
        _server.ResetMappings();
        var priority = 1;
        foreach (var (text, score) in table)
        {
            _server.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost().WithBody(new WildcardMatcher("*" + text + "*")))
                .AtPriority(priority++)
                .RespondWith(Completion($$"""{"score": {{score.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}"""));
        }
    }

    /// <summary>Answers every call with <paramref name="content"/> as the judge's message.</summary>
    public void Says(string content, TimeSpan? delay = null)
    {
        _server.ResetMappings();
        var response = Completion(content);
        _server.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost()).RespondWith(delay is { } d ? response.WithDelay(d) : response);
    }

    public void Fails(int status = 500)
    {
        _server.ResetMappings();
        _server.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json").WithBody("""{"error":{"message":"down"}}"""));
    }

    /// <summary>The bodies of the judge calls received so far.</summary>
    public IReadOnlyList<JsonObject> Received
        => _server.LogEntries.Where(e => e.RequestMessage.Path == "/v1/chat/completions")
            .Select(e => JsonNode.Parse(e.RequestMessage.Body!)!.AsObject()).ToList();

    public int Calls => _server.LogEntries.Count(e => e.RequestMessage.Path == "/v1/chat/completions");

    public void Dispose() => _server.Stop();

    private static IResponseBuilder Completion(string content)
        => Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(new JsonObject
        {
            ["id"] = "judge-1", ["object"] = "chat.completion", ["created"] = 1700000000, ["model"] = "judge",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content }, ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 1000, ["completion_tokens"] = 10, ["total_tokens"] = 1010 },
        }.ToJsonString());
}
