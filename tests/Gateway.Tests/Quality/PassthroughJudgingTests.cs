using System.ClientModel;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;
using Rollgate.Tests.Infrastructure;
using Rollgate.Tests.Managed;

namespace Rollgate.Tests.Quality;

/// <summary>
/// Judged quality of a passthrough agent through the real gateway: the agent is a WireMock.Net chat server the gateway
/// forwards to, called with the official OpenAI .NET library, and the judge is WireMock.Net too. The conversation is
/// copied as it is forwarded and the answer as it is relayed; neither changes what the agent or the client sees.
/// </summary>
public sealed class PassthroughJudgingTests : IAsyncDisposable
{
    private readonly ModelEndpoint _agentBackend = new();
    private readonly JudgeEndpoint _judge = new();
    private readonly string _agent = "pt-judged-" + Guid.NewGuid().ToString("N")[..8];
    private GatewayInstance? _gateway;

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        _agentBackend.Dispose();
        _judge.Dispose();
    }

    [Fact]
    public async Task A_forwarded_chat_completion_is_judged_with_the_clients_conversation()
    {
        _agentBackend.Answers("Paris is the capital of France.");
        _judge.Scores(("Paris", 0.9), ("", 0.1));
        await StartAsync(sampleRate: 1);

        for (var i = 0; i < 4; i++)
        {
            var result = await Client().CompleteChatAsync([new SystemChatMessage("Answer briefly."), new UserChatMessage("What is the capital of France?")]);
            Assert.Equal("Paris is the capital of France.", result.Value.Content[0].Text);
        }

        var figures = await _gateway!.FiguresAsync(_agent, 1, f => (long?)f["qualityScored"] == 4);
        Assert.Equal(0.9, (double)figures["qualityScore"]!, 6);
        Assert.Equal(4, await JudgedAsync("scored"));
        var user = (string)_judge.Received[0]["messages"]![1]!["content"]!;
        Assert.Contains("system: Answer briefly.\nuser: What is the capital of France?", user);
        Assert.Contains("Answer to score:\nParis is the capital of France.", user);
        // The agent got the client's request as it was sent.
        Assert.Equal("What is the capital of France?", (string?)_agentBackend.Received[0]["messages"]![1]!["content"]);
    }

    [Fact]
    public async Task A_forwarded_stream_is_judged_as_the_text_its_chunks_add_up_to()
    {
        _agentBackend.Streams("Par", "is.", promptTokens: 10, completionTokens: 2);
        _judge.Scores(("Answer to score:\\nParis.", 0.8), ("", 0.0));
        await StartAsync(sampleRate: 1);

        var text = new StringBuilder();
        await foreach (var update in Client().CompleteChatStreamingAsync([new UserChatMessage("Capital of France?")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        Assert.Equal("Paris.", text.ToString());
        var figures = await _gateway!.FiguresAsync(_agent, 1, f => (long?)f["qualityScored"] == 1);
        Assert.Equal(0.8, (double)figures["qualityScore"]!, 6);
    }

    [Fact]
    public async Task Only_json_requests_with_a_successful_text_answer_reach_the_judge()
    {
        _judge.Says("""{"score": 0.5}""");
        await StartAsync(sampleRate: 1);

        // A request that is not JSON carries no conversation: not sampled, not counted.
        _agentBackend.Answers("Paris.");
        var form = await _gateway!.Proxy.PostAsync($"/agents/{_agent}/v1/chat/completions", new StringContent("q=capital", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.OK, form.StatusCode);
        // A failed answer is not judged; its failure is the version's error, not a judgement.
        _agentBackend.Fails(503);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await PostChatAsync()).StatusCode);
        // A successful answer with no chat text (tool calls only) is counted as skipped.
        _agentBackend.Answers("");
        Assert.Equal(HttpStatusCode.OK, (await PostChatAsync()).StatusCode);

        await Eventually.TrueAsync(async () => await JudgedAsync("skipped") == 1, "the answer without text is counted as skipped");
        var figures = await _gateway!.FiguresAsync(_agent, 1, f => (long?)f["requests"] == 3);
        Assert.Equal(0, (long)figures["qualityScored"]!);
        Assert.Equal(0, _judge.Calls);
        Assert.Equal(0, await JudgedAsync("scored") + await JudgedAsync("dropped") + await JudgedAsync("failed"));
    }

    [Fact]
    public async Task A_preview_request_is_never_judged()
    {
        _agentBackend.Answers("Paris.");
        _judge.Says("""{"score": 0.5}""");
        await StartAsync(sampleRate: 1);

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/agents/{_agent}/v1/chat/completions") { Content = ChatBody() };
        request.Headers.Add("X-Rollgate-Preview-Version", "1");
        request.Headers.Add("X-Rollgate-Preview-Token", GatewayInstance.OperatorToken);
        Assert.Equal(HttpStatusCode.OK, (await _gateway!.Proxy.SendAsync(request)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostChatAsync()).StatusCode);

        // The stable request is judged; the preview one is not (it would have been judged first).
        await Eventually.TrueAsync(async () => await JudgedAsync("scored") == 1, "the stable answer is judged");
        Assert.Equal(1, _judge.Calls);
    }

    private async Task StartAsync(double sampleRate)
    {
        _gateway = await GatewayInstance.StartAsync();
        var definition = new JsonObject
        {
            ["quality"] = new JsonObject
            {
                ["judge"] = new JsonObject { ["endpoint"] = _judge.Endpoint, ["model"] = "judge-model" },
                ["sampleRate"] = sampleRate,
                ["rubric"] = "A good answer names the capital correctly and briefly.",
            },
        };
        await _gateway.ReleaseAsync(_agent, _agentBackend.Root, definition.ToJsonString());
    }

    private ChatClient Client() => new OpenAIClient(new ApiKeyCredential("sk-passthrough"),
        new OpenAIClientOptions { Endpoint = new Uri($"{_gateway!.ProxyUrl}/agents/{_agent}/v1") }).GetChatClient("gpt-test");

    private Task<HttpResponseMessage> PostChatAsync() => _gateway!.Proxy.PostAsync($"/agents/{_agent}/v1/chat/completions", ChatBody());

    private static StringContent ChatBody()
        => new("""{"model": "gpt-test", "messages": [{"role": "user", "content": "Capital?"}]}""", Encoding.UTF8, "application/json");

    private Task<double> JudgedAsync(string outcome)
        => _gateway!.MetricAsync($"rollgate_judge_requests_total{{agent=\"{_agent}\",version=\"1\",outcome=\"{outcome}\"}}");
}
