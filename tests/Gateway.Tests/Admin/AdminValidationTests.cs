using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Admin;

/// <summary>Bad input gets a clear problem+json answer and changes nothing.</summary>
public sealed class AdminValidationTests(AdminValidationTests.Fixture fixture) : IClassFixture<AdminValidationTests.Fixture>
{
    private readonly GatewayInstance _gateway = fixture.Gateway;
    private readonly int _version = fixture.Version;

    /// <summary>One gateway for the class: every test here either changes nothing or only the definition.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        private TestBackend _backend = null!;

        public GatewayInstance Gateway { get; private set; } = null!;
        public int Version { get; private set; }

        public async Task InitializeAsync()
        {
            Gateway = await GatewayInstance.StartAsync();
            _backend = await TestBackend.StartAsync("b");
            Version = await Gateway.ReleaseAsync("valid-bot", _backend.Url);
            // Needs no backend in its versions, so what is refused for every agent can be told from what passthrough requires.
            await GatewayInstance.EnsureAsync(await Gateway.PutAgentAsync("managed-bot", new { mode = "openai" }));
        }

        public async Task DisposeAsync()
        {
            await Gateway.DisposeAsync();
            await _backend.DisposeAsync();
        }
    }

    public static TheoryData<string, string, string, string> BadRequests => new()
    {
        // method, path, body, field or text the problem must name
        { "PUT", "/admin/agents/valid-bot", "{not json", "not valid JSON" },
        { "PUT", "/admin/agents/valid-bot", "[]", "$" },
        { "PUT", "/admin/agents/valid-bot", "{\"rules\":\"not a list\"}", "rules" },
        { "PUT", "/admin/agents/valid-bot", "{\"bakeTime\":\"soon\"}", "bakeTime" },
        { "PUT", "/admin/agents/valid-bot", "{\"pathPrefix\":\"no-slash\"}", "pathPrefix" },
        { "PUT", "/admin/agents/valid-bot", "{\"pathPrefix\":\"/admin/x\"}", "reserved" },
        { "PUT", "/admin/agents/valid-bot", "{\"stickyBy\":{\"header\":\"a\",\"cookie\":\"b\"}}", "stickyBy" },
        { "PUT", "/admin/agents/valid-bot", "{\"mode\":\"magic\"}", "mode" },
        { "PUT", "/admin/agents/valid-bot", "{\"rollout\":{\"steps\":[50,10],\"stepDuration\":\"1m\"}}", "rollout.steps[1]" },
        { "PUT", "/admin/agents/valid-bot", "{\"webhooks\":[\"ftp://x\"]}", "webhooks[0]" },
        { "PUT", "/admin/agents/valid-bot", "{\"rules\":[\"rollback when error_rate > 15% for\"]}", "expected a duration" },
        { "PUT", "/admin/agents/valid-bot", "{\"unknownField\":1}", "unknownField" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"backend\":{\"destinations\":[\"not-a-url\"]}}", "backend.destinations[0]" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"backend\":{\"destinations\":[\"http://x\"]},\"model\":{\"temperature\":7}}", "model.temperature" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"backend\":{\"destinations\":[\"http://x\"]},\"model\":{\"apiKey\":\"sk-123\"}}", "model.apiKey" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"backend\":{\"destinations\":[\"http://x\"]},\"tools\":[{\"name\":\"bad name!\"}]}", "tools[0].name" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"prompt\":\"a string\"}", "prompt" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"basedOn\":99}", "basedOn" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"prompt\":{}}", "backend" },
        { "POST", "/admin/agents/valid-bot/deployments", "{\"version\":\"one\"}", "version" },
        { "POST", "/admin/agents/valid-bot/deployments", "{}", "version" },
        { "POST", "/admin/agents/valid-bot/deployments", "{\"version\":99}", "version" },
        { "POST", "/admin/agents/valid-bot/deployments", "{\"version\":1,\"strategy\":\"yolo\"}", "strategy" },
        { "POST", "/admin/agents/valid-bot/weight", "{\"canaryPercent\":120}", "canaryPercent" },
        { "POST", "/admin/agents/valid-bot/rollback", "{\"to\":42}", "to" },
        { "GET", "/admin/agents/valid-bot/history?limit=abc", "", "limit" },
    };

    /// <summary>Bodies that answered 500 or were stored silently before every admin body was checked against its type.</summary>
    public static TheoryData<string, string, string, string> Traps => new()
    {
        // null where a definition has no null: the JSON path and what is expected
        { "PUT", "/admin/agents/valid-bot", "{\"rules\":null}", "\"rules\":[\"expected an array of strings, not null\"]" },
        { "PUT", "/admin/agents/valid-bot", "{\"rollout\":null}", "\"rollout\":[\"expected an object, not null\"]" },
        { "PUT", "/admin/agents/valid-bot", "{\"stickyBy\":null}", "\"stickyBy\":[\"expected an object, not null\"]" },
        { "PUT", "/admin/agents/valid-bot", "{\"hosts\":null}", "\"hosts\":[\"expected an array of strings, not null\"]" },
        { "PUT", "/admin/agents/valid-bot", "{\"webhooks\":null}", "\"webhooks\":[\"expected an array of strings, not null\"]" },
        { "PUT", "/admin/agents/valid-bot", "{\"degradation\":null}", "\"degradation\":[\"expected an array of objects, not null\"]" },
        { "PUT", "/admin/agents/valid-bot", "{\"rollout\":{\"steps\":null,\"stepDuration\":\"10m\"}}", "\"rollout.steps\":[\"expected an array of numbers, not null\"]" },
        { "PUT", "/admin/agents/valid-bot", "{\"degradation\":[null]}", "\"degradation[0]\":[\"expected an object, not null\"]" },
        { "PUT", "/admin/agents/valid-bot", "{\"rules\":[null]}", "\"rules[0]\":[\"expected a string, not null\"]" },
        { "PUT", "/admin/agents/valid-bot", "{\"degradation\":[{\"tool\":\"refund\"}]}", "\"degradation[0].routeTo\":[\"is required: an integer\"]" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"model\":{\"maxTokens\":null}}", "\"model.maxTokens\":[\"expected an integer, not null\"]" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"model\":{\"maxTokens\":\"1024\"}}", "\"model.maxTokens\":[\"expected an integer, not a string\"]" },
        { "POST", "/admin/agents/valid-bot/deployments", "{\"version\":1,\"steps\":[null]}", "\"steps[0]\":[\"expected a number, not null\"]" },
        { "POST", "/admin/agents/valid-bot/weight", "{\"canaryPercent\":\"5\"}", "\"canaryPercent\":[\"expected a number, not a string\"]" },
        { "POST", "/admin/agents/valid-bot/outcomes", "{\"requestId\":5,\"outcome\":\"completed\"}", "\"requestId\":[\"expected a string, not a number\"]" },
        // unknown fields at any depth the gateway reads, named with the closest known name
        { "POST", "/admin/agents/valid-bot/versions", "{\"model\":{\"temprature\":0.2}}", "\"model.temprature\":[\"unknown field 'temprature'; did you mean 'temperature'?\"]" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"model\":{\"pricing\":{\"inputPerMtok\":2.5,\"outputPerMTok\":10}}}", "did you mean 'inputPerMTok'?" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"model\":{\"pricing\":{\"inputPerMTok\":2.5}}}", "\"model.pricing.outputPerMTok\":[\"is required: a number\"]" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"model\":{\"fallbacks\":[{\"name\":\"m\",\"endpont\":\"http://x\"}]}}", "\"model.fallbacks[0].endpont\":[\"unknown field 'endpont'; did you mean 'endpoint'?\"]" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"prompt\":{\"sytem\":\"hi\"}}", "did you mean 'system'?" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"tools\":[{\"name\":\"refund\",\"paramters\":{}}]}", "did you mean 'parameters'?" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"backend\":{\"destination\":[\"http://x\"]}}", "did you mean 'destinations'?" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"Backend\":{\"destinations\":[\"http://x\"]}}", "did you mean 'backend'?" },
        { "PUT", "/admin/agents/valid-bot", "{\"stickyBy\":{\"hedaer\":\"X-Session\"}}", "\"stickyBy.hedaer\":[\"unknown field 'hedaer'; did you mean 'header'?\"]" },
        { "POST", "/admin/agents/valid-bot/weight", "{\"percent\":5}", "unknown field 'percent'; known fields: canaryPercent" },
        { "PUT", "/admin/agents/valid-bot", "{\"bakeTime\":\"1h\",\"bakeTime\":\"2h\"}", "\"bakeTime\":[\"appears more than once\"]" },
        // free-form parts stay free, but must be storable: a version is listed and hashed as it was sent
        { "POST", "/admin/agents/valid-bot/versions", "{\"knowledge\":{\"size\":1e400}}", "\"knowledge.size\":[\"is out of range" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"knowledge\":{\"index\":\"\\ud800\"}}", "\"knowledge.index\":[\"is not valid text" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"knowledge\":" + Nested(40) + "}", "nests deeper than 32 levels" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"guardrails\":{\"deny\":[],\"deny\":[\"x\"]}}", "\"guardrails.deny\":[\"appears more than once\"]" },
        // values the gateway would store and then trip over
        { "POST", "/admin/agents/managed-bot/versions", "{\"backend\":{\"destinations\":[]}}", "\"backend.destinations\":[\"must name at least one destination\"]" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"backend\":{\"destinations\":[\"http://user:pw@127.0.0.1:9001\"]}}", "\"backend.destinations[0]\":[\"must not carry user info" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"backend\":{\"destinations\":[\"http://127.0.0.1:0\"]}}", "\"backend.destinations[0]\":[\"must name a port from 1 to 65535" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"backend\":{\"destinations\":[\"http://127.0.0.1:9001\"],\"timeout\":\"soon\"}}", "\"backend.timeout\":[\"'soon' is not a duration" },
        { "POST", "/admin/agents/valid-bot/versions", "{\"backend\":{\"destinations\":[\"http://127.0.0.1:9001\"]},\"model\":{\"endpoint\":\"https://key:secret@api.example.com\"}}", "\"model.endpoint\":[\"must not carry user info" },
        { "PUT", "/admin/agents/valid-bot", "{\"stickyBy\":{\"header\":\"X Session\"}}", "\"stickyBy.header\":[\"must be a valid header name" },
        { "PUT", "/admin/agents/valid-bot", "{\"stickyBy\":{\"cookie\":\"a;b\"}}", "\"stickyBy.cookie\":[\"must be a valid cookie name" },
        { "PUT", "/admin/agents/valid-bot", "{\"pathPrefix\":\"/bots/../admin\"}", "\"pathPrefix\":[\"must not contain '.' or '..' segments\"]" },
        { "PUT", "/admin/agents/valid-bot", "{\"pathPrefix\":\"/bots/\\u0007x\"}", "\"pathPrefix\":[\"must not contain control characters\"]" },
        { "PUT", "/admin/agents/valid-bot", "{\"pathPrefix\":\"/%61dmin/x\"}", "\"pathPrefix\":[\"must not contain '%'" },
        { "PUT", "/admin/agents/valid-bot", "{\"pathPrefix\":\"/tools/refund\"}", "is reserved by the gateway" },
        { "PUT", "/admin/agents/valid-bot", "{\"bakeTime\":\"0s\"}", "\"bakeTime\":[\"must be at least 1s\"]" },
        { "PUT", "/admin/agents/valid-bot", "{\"bakeTime\":\"1\\ud800h\"}", "\"bakeTime\":[\"is not valid text" },
        { "PUT", "/admin/agents/valid-bot", "{\"webhooks\":[\"http://127.0.0.1:0/hook\"]}", "\"webhooks[0]\":[\"must name a port from 1 to 65535" },
        // rule windows the figure store can serve: at least a second, at most what it keeps
        { "PUT", "/admin/agents/valid-bot", "{\"rules\":[\"alert when error_rate > 5% over 500ms\"]}", "\"rules[0]\":[\"rule 'alert when error_rate > 5% over 500ms': the window (over 500ms) must be at least 1s\"]" },
        { "PUT", "/admin/agents/valid-bot", "{\"rules\":[\"alert when error_rate > 5% over 3h\"]}", "\"rules[0]\":[\"rule 'alert when error_rate > 5% over 3h': the window (over 3h) must be at most 2h" },
        { "PUT", "/admin/agents/valid-bot", "{\"rules\":[\"rollback when error_rate > 2x baseline over 90m\"]}", "\"bakeTime\":[\"1h is too long for rule 'rollback when error_rate > 2x baseline over 90m'" },
        { "PUT", "/admin/agents/valid-bot", "{\"bakeTime\":\"3h\",\"rules\":[\"rollback when task_completion_rate drops by 20%\"]}", "must be at most 2h" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    [MemberData(nameof(Traps))]
    public async Task Bad_input_is_a_400_problem_naming_the_field_and_changes_nothing(string method, string path, string body, string mentions)
    {
        var agent = path.Split('/')[3];
        var before = await SnapshotAsync(agent);
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET")
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        var response = await _gateway.Admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = Readable(await response.Content.ReadAsStringAsync());
        Assert.Contains(mentions, problem);
        AssertNamesNoDotNetType(problem);
        Assert.Equal(before, await SnapshotAsync(agent));
    }

    [Fact]
    public async Task A_definition_within_the_figure_retention_is_accepted()
    {
        var response = await _gateway.PutAgentAsync("window-bot", new
        {
            bakeTime = "1h",
            rules = new[] { "rollback when error_rate > 2x baseline over 1h", "alert when p95_latency > 2s over 2h", "alert when error_rate > 5% over 1s" },
            stickyBy = new { header = "X-Conversation_Id.v2" },
        });

        await GatewayInstance.EnsureAsync(response);
    }

    /// <summary>The problem as plain JSON text: the default encoder writes quotes and '&gt;' as \u escapes.</summary>
    internal static string Readable(string problem)
        => JsonNode.Parse(problem)!.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>Problems name JSON fields and JSON kinds, never the gateway's own types or the serializer's wording.</summary>
    internal static void AssertNamesNoDotNetType(string problem)
    {
        foreach (var word in (string[])[".NET", "System.", "Rollgate.", "Int32", "Double", "String'", "TimeSpan", "could not be mapped", "JSON value could not be converted"])
        {
            Assert.DoesNotContain(word, problem);
        }
    }

    [Theory]
    [InlineData("PUT", "/admin/agents/Bad_Name")]
    [InlineData("PUT", "/admin/agents/-leading-dash")]
    [InlineData("GET", "/admin/agents/UPPER")]
    [InlineData("POST", "/admin/agents/bad.name/versions")]
    public async Task Bad_agent_names_are_refused(string method, string path)
    {
        var response = await _gateway.Admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = GatewayInstance.Json(new { }) });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("agent", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("GET", "/admin/agents/ghost-bot")]
    [InlineData("POST", "/admin/agents/ghost-bot/versions")]
    [InlineData("POST", "/admin/agents/ghost-bot/rollback")]
    [InlineData("POST", "/admin/agents/ghost-bot/promote")]
    [InlineData("GET", "/admin/agents/ghost-bot/history")]
    [InlineData("GET", "/admin/agents/ghost-bot/versions")]
    [InlineData("GET", "/admin/agents/ghost-bot/versions/1")]
    [InlineData("GET", "/admin/agents/ghost-bot/versions/1/diff/2")]
    public async Task Unknown_agent_is_404_problem(string method, string path)
    {
        var response = await _gateway.Admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method == "GET" ? null
                : path.EndsWith("/versions") ? GatewayInstance.Json(new { backend = new { destinations = new[] { "http://x" } } })
                : GatewayInstance.Json(new { }),
        });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("/unknown-agent", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bodies_over_one_mebibyte_are_413_whether_announced_or_streamed()
    {
        var before = await SnapshotAsync();
        var huge = "{\"notes\":\"" + new string('x', 1024 * 1024 + 10) + "\"}";

        var announced = await _gateway.Admin.PutAsync("/admin/agents/valid-bot", new StringContent(huge, Encoding.UTF8, "application/json"));
        var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/admin/agents/valid-bot/versions") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        var streamed = await _gateway.Admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, announced.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
        Assert.Equal("application/problem+json", streamed.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Stale_if_match_is_412_and_changes_nothing_while_a_matching_one_applies()
    {
        var current = (await _gateway.GetAgentAsync("valid-bot"))["generation"]!.GetValue<long>();
        var before = await SnapshotAsync();

        var stale = new HttpRequestMessage(HttpMethod.Post, "/admin/agents/valid-bot/deployments") { Content = GatewayInstance.Json(new { version = _version, strategy = "immediate" }) };
        stale.Headers.TryAddWithoutValidation("If-Match", $"\"{current - 1}\"");
        var staleResponse = await _gateway.Admin.SendAsync(stale);

        Assert.Equal(HttpStatusCode.PreconditionFailed, staleResponse.StatusCode);
        Assert.Equal($"\"{current}\"", staleResponse.Headers.ETag?.ToString());
        Assert.Equal(before, await SnapshotAsync());

        var matching = new HttpRequestMessage(HttpMethod.Put, "/admin/agents/valid-bot") { Content = GatewayInstance.Json(new { bakeTime = "30m" }) };
        matching.Headers.TryAddWithoutValidation("If-Match", $"\"{current}\"");
        var matchingResponse = await _gateway.Admin.SendAsync(matching);

        Assert.Equal(HttpStatusCode.OK, matchingResponse.StatusCode);
        Assert.Equal($"\"{current + 1}\"", matchingResponse.Headers.ETag?.ToString());
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public async Task Versions_are_immutable(string method)
    {
        var response = await _gateway.Admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/admin/agents/valid-bot/versions/{_version}")
        {
            Content = GatewayInstance.Json(new { prompt = new { system = "edited" } }),
        });

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var version = JsonNode.Parse(await _gateway.Admin.GetStringAsync($"/admin/agents/valid-bot/versions/{_version}"))!;
        Assert.Equal("You are helpful.", version["prompt"]!["system"]!.GetValue<string>());
    }

    [Fact]
    public async Task Conflicting_commands_are_409_problems()
    {
        var promote = await _gateway.Admin.PostAsync("/admin/agents/valid-bot/promote", GatewayInstance.Json(new { }));
        var weight = await _gateway.Admin.PostAsync("/admin/agents/valid-bot/weight", GatewayInstance.Json(new { canaryPercent = 10 }));
        var redeploy = await _gateway.Admin.PostAsync("/admin/agents/valid-bot/deployments", GatewayInstance.Json(new { version = _version, strategy = "immediate" }));

        Assert.Equal(HttpStatusCode.Conflict, promote.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, weight.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, redeploy.StatusCode);
        Assert.Contains("already the stable", await redeploy.Content.ReadAsStringAsync());
    }

    /// <summary>Everything an admin call could change: the agent (incl. generation), its versions and its history.</summary>
    private async Task<string> SnapshotAsync(string agent = "valid-bot")
        => await _gateway.Admin.GetStringAsync($"/admin/agents/{agent}")
           + await _gateway.Admin.GetStringAsync($"/admin/agents/{agent}/versions")
           + await _gateway.Admin.GetStringAsync($"/admin/agents/{agent}/history");

    private static string Nested(int depth) => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
}
