using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Evals;

/// <summary>Eval suites through the real host: stored and validated, run as a preview through the data path, and gating canaries.</summary>
public sealed class EvalGateTests(EvalGateTests.Fixture fixture) : IClassFixture<EvalGateTests.Fixture>
{
    private readonly GatewayInstance _gateway = fixture.Gateway;

    public sealed class Fixture : IAsyncLifetime
    {
        public GatewayInstance Gateway { get; private set; } = null!;
        /// <summary>Answers the question right, and says what it cost.</summary>
        public TestBackend Good { get; private set; } = null!;
        public TestBackend Bad { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Gateway = await GatewayInstance.StartAsync();
            Good = await TestBackend.StartAsync("good", context =>
            {
                context.Response.Headers[RollgateHeaders.CostUsd] = "0.01";
                return context.Response.WriteAsync("The capital of France is Paris, population 2102650.");
            });
            Bad = await TestBackend.StartAsync("bad", context => context.Response.WriteAsync("I am not sure."));
        }

        public async Task DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await Good.DisposeAsync();
            await Bad.DisposeAsync();
        }
    }

    private static readonly object Capitals = new
    {
        cases = new object[]
        {
            new { messages = new[] { new { role = "user", content = "Capital of France?" } }, expect = new { contains = "Paris" } },
            new { messages = new[] { new { role = "user", content = "How many live there?" } }, expect = new { regex = "population \\d+" } },
        },
    };

    private async Task<HttpResponseMessage> PutSuiteAsync(string agent, string suite, object body) => await _gateway.Admin.PutAsync($"/admin/agents/{agent}/evals/{suite}", GatewayInstance.Json(body));

    private static async Task<string[]> ProblemFieldsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        return problem["errors"]!.AsObject().Select(e => e.Key).ToArray();
    }

    [Fact]
    public async Task A_suite_is_validated_naming_the_field_and_versioned_by_generation()
    {
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("eval-store-bot"));

        Assert.Contains("cases", await ProblemFieldsAsync(await PutSuiteAsync("eval-store-bot", "smoke", new { cases = Array.Empty<object>() })));
        Assert.Contains("cases[0].expect", await ProblemFieldsAsync(await PutSuiteAsync("eval-store-bot", "smoke",
            new { cases = new[] { new { messages = new[] { new { role = "user", content = "hi" } }, expect = new { contains = "a", regex = "b" } } } })));
        Assert.Contains("cases[0].expect.regex", await ProblemFieldsAsync(await PutSuiteAsync("eval-store-bot", "smoke",
            new { cases = new[] { new { messages = new[] { new { role = "user", content = "hi" } }, expect = new { regex = "(" } } } })));
        Assert.Contains("cases[0].messages", await ProblemFieldsAsync(await PutSuiteAsync("eval-store-bot", "smoke",
            new { cases = new[] { new { messages = Array.Empty<object>(), expect = new { contains = "a" } } } })));
        Assert.Contains("suite", await ProblemFieldsAsync(await PutSuiteAsync("eval-store-bot", "Not_A_Name", Capitals)));
        Assert.Equal(HttpStatusCode.NotFound, (await _gateway.Admin.GetAsync("/admin/agents/eval-store-bot/evals/smoke")).StatusCode);

        var created = await PutSuiteAsync("eval-store-bot", "smoke", Capitals);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("\"1\"", created.Headers.ETag?.Tag);

        var stale = new HttpRequestMessage(HttpMethod.Put, "/admin/agents/eval-store-bot/evals/smoke") { Content = GatewayInstance.Json(Capitals) };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"7\"");
        Assert.Equal(HttpStatusCode.PreconditionFailed, (await _gateway.Admin.SendAsync(stale)).StatusCode);
        var replaced = await PutSuiteAsync("eval-store-bot", "smoke", Capitals);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);

        var read = await _gateway.Admin.GetAsync("/admin/agents/eval-store-bot/evals/smoke");
        var suite = (await read.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(2, suite["generation"]!.GetValue<long>());
        Assert.Equal("population \\d+", suite["suite"]!["cases"]![1]!["expect"]!["regex"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Forbidden, (await ViewerAsync().PutAsync("/admin/agents/eval-store-bot/evals/smoke", GatewayInstance.Json(Capitals))).StatusCode);
    }

    [Fact]
    public async Task A_run_goes_through_the_data_path_as_a_preview_and_is_stored_with_its_history_event()
    {
        var stable = await _gateway.ReleaseAsync("eval-run-bot", fixture.Bad.Url);
        var candidate = await _gateway.CreateVersionAsync("eval-run-bot", fixture.Good.Url, "good");
        await GatewayInstance.EnsureAsync(await PutSuiteAsync("eval-run-bot", "capitals", Capitals));

        var good = await RunAsync("eval-run-bot", candidate, "capitals");
        var bad = await RunAsync("eval-run-bot", stable, "capitals");

        Assert.Equal(1.0, good["passRate"]!.GetValue<double>());
        Assert.Equal(0.02, good["costUsd"]!.GetValue<double>(), 6);
        Assert.All(good["cases"]!.AsArray(), c => Assert.True(c!["passed"]!.GetValue<bool>()));
        Assert.Equal(0.0, bad["passRate"]!.GetValue<double>());
        Assert.Equal("the answer does not contain \"Paris\"", bad["cases"]![0]!["failure"]!.GetValue<string>());
        Assert.Equal("the answer does not match /population \\d+/", bad["cases"]![1]!["failure"]!.GetValue<string>());

        // Users still get the stable; the run did not change the release.
        var user = await _gateway.Proxy.PostAsync("/agents/eval-run-bot/v1/chat/completions", GatewayInstance.Json(new { messages = Array.Empty<object>() }));
        Assert.Equal(stable.ToString(), user.Headers.GetValues(RollgateHeaders.Version).Single());

        var id = good["id"]!.GetValue<string>();
        var stored = (await _gateway.Admin.GetFromJsonAsync<JsonObject>($"/admin/agents/eval-run-bot/evals/capitals/results/{id}"))!;
        Assert.Equal(candidate, stored["version"]!.GetValue<int>());
        Assert.Equal(HttpStatusCode.NotFound, (await _gateway.Admin.GetAsync("/admin/agents/eval-run-bot/evals/capitals/results/eval_0")).StatusCode);
        var history = (await _gateway.Admin.GetFromJsonAsync<JsonObject>("/admin/agents/eval-run-bot/history"))!["events"]!.AsArray();
        var evals = history.Where(e => e!["type"]!.GetValue<string>() == "eval").ToArray();
        Assert.Equal(2, evals.Length);
        Assert.Equal(id, evals[1]!["evidence"]!["resultId"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await _gateway.Admin.PostAsync($"/admin/agents/eval-run-bot/versions/{candidate}/evals/nope", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _gateway.Admin.PostAsync("/admin/agents/eval-run-bot/versions/99/evals/capitals", null)).StatusCode);
    }

    [Fact]
    public async Task A_failing_suite_refuses_a_gated_canary_and_changes_nothing_while_a_passing_one_lets_it_go()
    {
        var definition = new { rollout = new { steps = new[] { 10, 100 }, stepDuration = "1h", gate = new { suite = "capitals", minPassRate = 1.0 } } };
        var stable = await _gateway.ReleaseAsync("eval-gate-bot", fixture.Good.Url, definition);
        await GatewayInstance.EnsureAsync(await PutSuiteAsync("eval-gate-bot", "capitals", Capitals));
        var bad = await _gateway.CreateVersionAsync("eval-gate-bot", fixture.Bad.Url, "bad");
        var good = await _gateway.CreateVersionAsync("eval-gate-bot", fixture.Good.Url, "good again");
        var before = await _gateway.GetAgentAsync("eval-gate-bot");

        var refused = await _gateway.Admin.PostAsync("/admin/agents/eval-gate-bot/deployments", GatewayInstance.Json(new { version = bad, strategy = "canary" }));

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = (await refused.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.EndsWith("eval-gate-failed", problem["type"]!.GetValue<string>());
        Assert.Equal(0.0, problem["result"]!["passRate"]!.GetValue<double>());
        Assert.Equal(bad, problem["result"]!["version"]!.GetValue<int>());
        var after = await _gateway.GetAgentAsync("eval-gate-bot");
        Assert.Equal(before["generation"]!.GetValue<long>(), after["generation"]!.GetValue<long>());
        Assert.Equal(stable, after["stable"]!.GetValue<int>());
        Assert.Null(after["canary"]);

        var deployed = await _gateway.DeployAsync("eval-gate-bot", good, "canary");
        var agent = await _gateway.GetAgentAsync("eval-gate-bot");
        Assert.Equal(good, agent["canary"]!.GetValue<int>());
        Assert.NotNull(deployed);
    }

    [Fact]
    public async Task A_gate_must_name_a_suite_and_a_pass_rate_from_0_to_1()
    {
        var response = await _gateway.PutAgentAsync("eval-bad-gate-bot", new { rollout = new { gate = new { minPassRate = 1.5 } } });
        var fields = await ProblemFieldsAsync(response);
        Assert.Contains("rollout.gate.suite", fields);
        Assert.Contains("rollout.gate.minPassRate", fields);
    }

    private async Task<JsonObject> RunAsync(string agent, int version, string suite)
    {
        var response = await _gateway.Admin.PostAsync($"/admin/agents/{agent}/versions/{version}/evals/{suite}", null);
        await GatewayInstance.EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    private HttpClient ViewerAsync()
    {
        var client = new HttpClient { BaseAddress = _gateway.Admin.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", GatewayInstance.ViewerToken);
        return client;
    }
}
