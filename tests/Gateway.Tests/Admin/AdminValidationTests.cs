using System.Net;
using System.Net.Http.Headers;
using System.Text;
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

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_is_a_400_problem_naming_the_field_and_changes_nothing(string method, string path, string body, string mentions)
    {
        var before = await SnapshotAsync();
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET")
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        var response = await _gateway.Admin.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(mentions, await response.Content.ReadAsStringAsync());
        Assert.Equal(before, await SnapshotAsync());
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
    private async Task<string> SnapshotAsync()
        => await _gateway.Admin.GetStringAsync("/admin/agents/valid-bot")
           + await _gateway.Admin.GetStringAsync("/admin/agents/valid-bot/versions")
           + await _gateway.Admin.GetStringAsync("/admin/agents/valid-bot/history");
}
