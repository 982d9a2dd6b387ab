using System.Text;
using System.Text.Json.Nodes;
using Rollgate.Tests.Infrastructure;
using Rollgate.Tests.Managed;

namespace Rollgate.Tests.Quality;

/// <summary>
/// The judge's daily budget is the fleet's: two real gateway replicas on one real Redis, a passthrough agent and its
/// judge played by WireMock.Net. What one replica's judge spent stops the other's.
/// </summary>
public sealed class FleetJudgeBudgetTests : IAsyncLifetime
{
    private const string Agent = "budget-bot";
    private readonly RedisServer _redis = new();
    private readonly ModelEndpoint _agentBackend = new();
    private readonly JudgeEndpoint _judge = new();
    private GatewayInstance _a = null!;
    private GatewayInstance _b = null!;

    public async Task InitializeAsync()
    {
        await _redis.InitializeAsync();
        _a = await StartReplicaAsync("replica-a");
        _b = await StartReplicaAsync("replica-b");
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _redis.DisposeAsync();
        _agentBackend.Dispose();
        _judge.Dispose();
    }

    [Fact]
    public async Task What_one_replicas_judge_spent_stops_the_others_for_the_day()
    {
        _agentBackend.Answers("Paris.");
        _judge.Says("""{"score": 0.7}""");
        // Each judge call costs 1000 input tokens at $1000/MTok = $1: two calls take the day's spend past $1.5.
        var definition = new JsonObject
        {
            ["quality"] = new JsonObject
            {
                ["judge"] = new JsonObject
                {
                    ["endpoint"] = _judge.Endpoint, ["model"] = "judge-model",
                    ["pricing"] = new JsonObject { ["inputPerMTok"] = 1000, ["outputPerMTok"] = 0 },
                },
                ["sampleRate"] = 1,
                ["rubric"] = "A good answer names the capital.",
                ["maxDailyCostUsd"] = 1.5,
            },
        };
        await _a.ReleaseAsync(Agent, _agentBackend.Root, definition.ToJsonString());
        await Eventually.TrueAsync(async () => (await _b.Proxy.GetAsync($"/agents/{Agent}/v1/models")).Headers.Contains("X-Rollgate-Version"),
            "replica B routes the agent");

        for (var i = 0; i < 2; i++)
        {
            (await ChatAsync(_a)).EnsureSuccessStatusCode();
            await Eventually.TrueAsync(async () => await JudgedAsync(_a, "scored") == i + 1, "replica A's judge scored the answer");
        }

        for (var i = 0; i < 3; i++)
        {
            (await ChatAsync(_b)).EnsureSuccessStatusCode();
        }

        // Both replicas run in this test process, so they export the same counters: A's two scores, B's three refusals.
        await Eventually.TrueAsync(async () => await JudgedAsync(_b, "over_budget") == 3, "replica B's samples are over the fleet's budget");
        Assert.Equal(2, await JudgedAsync(_b, "scored"));
        Assert.Equal(2, _judge.Calls);
    }

    private Task<GatewayInstance> StartReplicaAsync(string id) => GatewayInstance.StartAsync(settings: new Dictionary<string, string>
    {
        ["Rollgate:Store"] = "redis",
        ["Rollgate:Redis"] = _redis.ConnectionString,
        ["Rollgate:ReplicaId"] = id,
        ["Rollgate:Quality:Concurrency"] = "1",
    });

    private static Task<HttpResponseMessage> ChatAsync(GatewayInstance replica)
        => replica.Proxy.PostAsync($"/agents/{Agent}/v1/chat/completions",
            new StringContent("""{"model": "m", "messages": [{"role": "user", "content": "Capital of France?"}]}""", Encoding.UTF8, "application/json"));

    private static Task<double> JudgedAsync(GatewayInstance replica, string outcome)
        => replica.MetricAsync($"rollgate_judge_requests_total{{agent=\"{Agent}\",version=\"1\",outcome=\"{outcome}\"}}");
}
