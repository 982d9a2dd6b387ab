using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rollgate.Tests.Infrastructure;
using Rollgate.Tests.Managed;
using Rollgate.Tests.Quality;

namespace Rollgate.Tests.Evals;

/// <summary>Judge expectations of a managed agent: its model and its judge are WireMock.Net servers.</summary>
public sealed class EvalJudgeTests : IAsyncDisposable
{
    private readonly ModelEndpoint _model = new();
    private readonly JudgeEndpoint _judge = new();
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
    public async Task The_agents_judge_scores_each_answer_and_its_cost_is_the_runs()
    {
        _model.Answers("Paris is the capital of France.", promptTokens: 1000, completionTokens: 200);
        _judge.Scores(("Paris", 0.9), ("", 0.1));
        _gateway = await GatewayInstance.StartAsync();
        var definition = new JsonObject
        {
            ["mode"] = "openai",
            ["quality"] = new JsonObject
            {
                // Sampling all but off, so the only judge calls are the eval's.
                ["judge"] = new JsonObject { ["endpoint"] = _judge.Endpoint, ["model"] = "judge-model", ["pricing"] = new JsonObject { ["inputPerMTok"] = 1000, ["outputPerMTok"] = 0 } },
                ["sampleRate"] = 0.000001,
                ["rubric"] = "Name the capital correctly.",
            },
        };
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("eval-judged", definition.ToJsonString()));
        var version = new JsonObject
        {
            ["prompt"] = new JsonObject { ["system"] = "You are a geography tutor." },
            ["model"] = new JsonObject
            {
                ["provider"] = "openai", ["name"] = "gpt-test", ["endpoint"] = _model.Endpoint,
                ["pricing"] = new JsonObject { ["inputPerMTok"] = 1, ["outputPerMTok"] = 2 },
            },
        };
        await GatewayInstance.EnsureAsync(await _gateway.Admin.PostAsync("/admin/agents/eval-judged/versions", GatewayInstance.Json(version.ToJsonString())));
        var messages = new[] { new { role = "user", content = "Capital of France?" } };
        await GatewayInstance.EnsureAsync(await _gateway.Admin.PutAsync("/admin/agents/eval-judged/evals/judged", GatewayInstance.Json(new
        {
            cases = new object[]
            {
                new { messages, expect = new { judge = new { minScore = 0.7 } } },
                new { messages, expect = new { judge = new { minScore = 0.95 } } },
            },
        })));

        var response = await _gateway.Admin.PostAsync("/admin/agents/eval-judged/versions/1/evals/judged", null);
        await GatewayInstance.EnsureAsync(response);
        var result = (await response.Content.ReadFromJsonAsync<JsonObject>())!;

        Assert.Equal(0.5, result["passRate"]!.GetValue<double>());
        Assert.Equal(0.9, result["cases"]![0]!["score"]!.GetValue<double>(), 6);
        Assert.True(result["cases"]![0]!["passed"]!.GetValue<bool>());
        Assert.Equal("the judge scored the answer 0.9, below 0.95", result["cases"]![1]!["failure"]!.GetValue<string>());
        Assert.Equal("Paris is the capital of France.", result["cases"]![1]!["answer"]!.GetValue<string>());
        // Per case: the model's 1000 + 200 tokens at $1 and $2 per MTok, and the judge's 1000 input tokens at $1000 per MTok.
        Assert.Equal(2 * (0.0014 + 1.0), result["costUsd"]!.GetValue<double>(), 9);
        Assert.Equal(2, _judge.Calls);
        Assert.Contains("Capital of France?", (string)_judge.Received[0]["messages"]![1]!["content"]!);
    }

    [Fact]
    public async Task A_judge_expectation_needs_a_min_score_from_0_to_1()
    {
        _gateway = await GatewayInstance.StartAsync();
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("eval-judge-rules"));

        var response = await _gateway.Admin.PutAsync("/admin/agents/eval-judge-rules/evals/bad", GatewayInstance.Json(new
        {
            cases = new[] { new { messages = new[] { new { role = "user", content = "hi" } }, expect = new { judge = new { minScore = 1.5 } } } },
        }));

        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("cases[0].expect.judge.minScore", problem["errors"]!.AsObject().Select(e => e.Key));
    }
}
