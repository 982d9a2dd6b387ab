using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Rollgate.Quality;
using Rollgate.Tests.Infrastructure;
using Rollgate.Tests.Managed;

namespace Rollgate.Tests.Quality;

/// <summary>
/// Judged quality through the real gateway: a managed agent's model and its judge are WireMock.Net servers. Sampled
/// answers are scored off the request path into the version's figures; failures, unparseable answers, drops and the
/// daily budget are counted and never scored.
/// </summary>
public sealed class JudgedQualityTests : IAsyncDisposable
{
    private const string Rubric = "A good answer names the capital correctly and briefly.";
    private readonly ModelEndpoint _model = new();
    private readonly JudgeEndpoint _judge = new();
    private readonly string _agent = "judged-" + Guid.NewGuid().ToString("N")[..8];
    private GatewayInstance? _gateway;

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        _model.Dispose();
        _judge.Dispose();
    }

    [Fact]
    public async Task Every_sampled_answer_is_scored_into_the_versions_figures_and_metrics()
    {
        _model.Answers("Paris is the capital of France.");
        _judge.Scores(("Paris", 0.9), ("", 0.1));
        await StartAsync(sampleRate: 1, pricing: new { inputPerMTok = 1, outputPerMTok = 2 });

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await ChatAsync("What is the capital of France?")).StatusCode);
        }

        var figures = await _gateway!.FiguresAsync(_agent, 1, f => (long?)f["qualityScored"] == 10);
        Assert.Equal(0.9, (double)figures["qualityScore"]!, 6);
        Assert.Equal(10, await JudgedAsync("scored"));
        Assert.Equal(10, await _gateway!.MetricAsync($"rollgate_quality_score_count{{agent=\"{_agent}\",version=\"1\"}}"));
        Assert.Equal(10 * (1000 * 1 + 10 * 2) / 1e6, await _gateway.MetricAsync($"rollgate_judge_cost_usd_total{{agent=\"{_agent}\"}}"), 9);

        var call = _judge.Received[0];
        Assert.Equal("judge-model", (string?)call["model"]);
        Assert.Equal("json_object", (string?)call["response_format"]!["type"]);
        var messages = call["messages"]!.AsArray();
        Assert.Equal("system", (string?)messages[0]!["role"]);
        Assert.StartsWith(Rubric, (string?)messages[0]!["content"]);
        var user = (string)messages[1]!["content"]!;
        Assert.Contains("user: What is the capital of France?", user);
        Assert.Contains("Answer to score:\nParis is the capital of France.", user);
        Assert.DoesNotContain("You are a geography tutor.", user); // the conversation is the client's, not the version's prompt
    }

    [Fact]
    public async Task A_streamed_answer_is_judged_as_the_text_its_chunks_add_up_to()
    {
        _model.Streams("Par", "is.", promptTokens: 10, completionTokens: 2);
        _judge.Scores(("Answer to score:\\nParis.", 0.8), ("", 0.0));
        await StartAsync(sampleRate: 1);

        var response = await ChatAsync("Capital of France?", stream: true);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("data: [DONE]", await response.Content.ReadAsStringAsync());

        var figures = await _gateway!.FiguresAsync(_agent, 1, f => (long?)f["qualityScored"] == 1);
        Assert.Equal(0.8, (double)figures["qualityScore"]!, 6);
    }

    [Fact]
    public async Task A_failing_or_unparseable_judge_is_counted_never_scored_and_the_client_is_answered()
    {
        _model.Answers("Paris.");
        _judge.Fails(500);
        await StartAsync(sampleRate: 1);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await ChatAsync("Capital?")).StatusCode);
        }

        await Eventually.TrueAsync(async () => await JudgedAsync("failed") == 3, "three judge failures are counted");
        _judge.Says("I would say about 0.8");
        Assert.Equal(HttpStatusCode.OK, (await ChatAsync("Capital?")).StatusCode);
        await Eventually.TrueAsync(async () => await JudgedAsync("unparseable") == 1, "an unparseable judgement is counted");
        _judge.Says("""{"score": 1.7}""");
        Assert.Equal(HttpStatusCode.OK, (await ChatAsync("Capital?")).StatusCode);
        await Eventually.TrueAsync(async () => await JudgedAsync("unparseable") == 2, "a score outside 0..1 is unparseable");

        var figures = await _gateway!.FiguresAsync(_agent, 1, f => (long?)f["requests"] == 5);
        Assert.Equal(0, (long)figures["qualityScored"]!);
        Assert.Null(figures["qualityScore"]);
        Assert.Equal(0, await JudgedAsync("scored"));
    }

    [Fact]
    public async Task While_the_judges_circuit_is_open_samples_are_counted_failed_without_calling_it()
    {
        _model.Answers("Paris.");
        _judge.Fails(500);
        await StartAsync(sampleRate: 1, settings: new Dictionary<string, string>
        {
            ["Rollgate:ModelCircuit:MinimumThroughput"] = "2",
            ["Rollgate:ModelCircuit:BreakDuration"] = "1h",
            ["Rollgate:Quality:Concurrency"] = "1",
        });

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await ChatAsync("Capital?")).StatusCode);
        }

        await Eventually.TrueAsync(async () => await JudgedAsync("failed") == 2, "two failed judge calls open its circuit");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await ChatAsync("Capital?")).StatusCode);
        }

        // Counted when sampled, before anything is copied: no call, no queue.
        Assert.Equal(7, await JudgedAsync("failed"));
        Assert.Equal(2, _judge.Calls);
    }

    [Fact]
    public async Task A_hanging_judge_fills_the_bounded_queue_and_further_samples_are_dropped_while_clients_are_answered()
    {
        _model.Answers("Paris.");
        _judge.Says("""{"score": 0.5}""", delay: TimeSpan.FromSeconds(20));
        await StartAsync(sampleRate: 1, settings: new Dictionary<string, string>
        {
            ["Rollgate:Quality:QueueCapacity"] = "2",
            ["Rollgate:Quality:Concurrency"] = "1",
            ["Rollgate:Quality:JudgeTimeout"] = "30s",
        });

        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => ChatAsync("Capital?")));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        // One call hangs in the judge, at most two wait in the queue: every other sample was dropped, none waited.
        Assert.InRange(await JudgedAsync("dropped"), 17, 19);
        Assert.Equal(0, await JudgedAsync("scored"));
    }

    [Fact]
    public async Task Judge_calls_stop_for_the_day_at_the_daily_budget()
    {
        _model.Answers("Paris.");
        _judge.Says("""{"score": 0.7}""");
        // Each judge call costs 1000 input tokens at $1000/MTok = $1: the second call takes the spend past $1.5.
        await StartAsync(sampleRate: 1, pricing: new { inputPerMTok = 1000, outputPerMTok = 0 }, maxDailyCostUsd: 1.5,
            settings: new Dictionary<string, string> { ["Rollgate:Quality:Concurrency"] = "1" });

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await ChatAsync("Capital?")).StatusCode);
        }

        await Eventually.TrueAsync(async () => await JudgedAsync("scored") + await JudgedAsync("over_budget") == 5, "every sample is accounted for");
        Assert.Equal(2, await JudgedAsync("scored"));
        Assert.Equal(3, await JudgedAsync("over_budget"));
        Assert.Equal(2, _judge.Calls);
        Assert.Equal(2.0, await _gateway!.MetricAsync($"rollgate_judge_cost_usd_total{{agent=\"{_agent}\"}}"), 9);
    }

    [Fact]
    public async Task The_share_of_answers_judged_holds_the_sample_rate_within_statistical_bounds()
    {
        const int requests = 1000;
        const double rate = 0.2;
        _model.Answers("Paris.");
        _judge.Says("""{"score": 0.6}""");
        await StartAsync(sampleRate: rate);

        for (var batch = 0; batch < requests / 20; batch++)
        {
            var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => ChatAsync("Capital?")));
            Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        }

        var queue = _gateway!.Services.GetRequiredService<JudgeQueue>();
        await Eventually.TrueAsync(async () => queue.Waiting == 0 && await JudgedAsync("scored") == _judge.Calls, "the queue is drained");
        // Binomial(1000, 0.2): mean 200, sd 12.6; five standard deviations either side.
        var sd = Math.Sqrt(requests * rate * (1 - rate));
        Assert.InRange(_judge.Calls, requests * rate - 5 * sd, requests * rate + 5 * sd);
        Assert.Equal(0, await JudgedAsync("dropped"));
    }

    [Fact]
    public async Task A_quality_block_is_checked_field_by_field_and_a_refused_one_changes_nothing()
    {
        _gateway = await GatewayInstance.StartAsync();
        var response = await _gateway.PutAgentAsync(_agent, JsonNode.Parse("""
            {"mode": "openai", "quality": {"judge": {"endpoint": "ftp://judge", "model": " ", "apiKeyEnv": "bad-name"},
             "sampleRate": 1.5, "rubric": "", "maxDailyCostUsd": 0}}
            """)!.ToJsonString());
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonObject>())!["errors"]!.AsObject();
        Assert.Equal(
            ["quality.judge.apiKeyEnv", "quality.judge.endpoint", "quality.judge.model", "quality.maxDailyCostUsd", "quality.rubric", "quality.sampleRate"],
            errors.Select(e => e.Key).Order(StringComparer.Ordinal));

        Assert.Equal(HttpStatusCode.NotFound, (await _gateway.Admin.GetAsync($"/admin/agents/{_agent}")).StatusCode);
    }

    private async Task StartAsync(double sampleRate, object? pricing = null, double maxDailyCostUsd = 5, IDictionary<string, string>? settings = null)
    {
        _gateway = await GatewayInstance.StartAsync(settings: settings);
        var definition = new JsonObject
        {
            ["mode"] = "openai",
            ["quality"] = new JsonObject
            {
                ["judge"] = new JsonObject
                {
                    ["endpoint"] = _judge.Endpoint, ["model"] = "judge-model",
                    ["pricing"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(pricing ?? new { inputPerMTok = 0, outputPerMTok = 0 })),
                },
                ["sampleRate"] = sampleRate,
                ["rubric"] = Rubric,
                ["maxDailyCostUsd"] = maxDailyCostUsd,
            },
        };
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync(_agent, definition.ToJsonString()));
        var version = new JsonObject
        {
            ["prompt"] = new JsonObject { ["system"] = "You are a geography tutor." },
            ["model"] = new JsonObject { ["provider"] = "openai", ["name"] = "gpt-test", ["endpoint"] = _model.Endpoint },
        };
        var created = await _gateway.Admin.PostAsync($"/admin/agents/{_agent}/versions", GatewayInstance.Json(version.ToJsonString()));
        await GatewayInstance.EnsureAsync(created);
        await _gateway.DeployAsync(_agent, 1);
    }

    private Task<HttpResponseMessage> ChatAsync(string question, bool stream = false)
    {
        var body = new JsonObject
        {
            ["model"] = "any",
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = question }),
            ["stream"] = stream,
        };
        return _gateway!.Proxy.PostAsync($"/agents/{_agent}/v1/chat/completions", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
    }

    private Task<double> JudgedAsync(string outcome)
        => _gateway!.MetricAsync($"rollgate_judge_requests_total{{agent=\"{_agent}\",version=\"1\",outcome=\"{outcome}\"}}");
}
