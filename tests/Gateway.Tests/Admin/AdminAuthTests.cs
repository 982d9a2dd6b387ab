using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Admin;

/// <summary>
/// Bearer tokens and roles: 401 without a known token (before routing, so no route can be discovered anonymously),
/// 403 where the role may not act; with a token, unknown paths and wrong methods are 404 and 405 problems.
/// </summary>
public sealed class AdminAuthTests : IAsyncLifetime
{
    private GatewayInstance _gateway = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayInstance.StartAsync();
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync("auth-bot"));
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-token")]
    [InlineData("Basic dGVzdDp0ZXN0")]
    [InlineData("Bearer ")]
    public async Task Missing_or_unknown_token_is_401_problem(string? authorization)
    {
        using var client = Client(null);
        var request = new HttpRequestMessage(HttpMethod.Get, "/admin/agents");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Theory]
    [InlineData("GET", "/admin/no-such-route")]
    [InlineData("GET", "/admin/agents/auth-bot/secrets")]
    [InlineData("DELETE", "/admin/agents")]
    [InlineData("PATCH", "/admin/agents/auth-bot/rollback")]
    [InlineData("POST", "/admin")]
    public async Task Without_a_token_unknown_paths_and_wrong_methods_are_401_too(string method, string path)
    {
        using var client = Client(null);

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(response.Content.Headers.Allow);
    }

    [Fact]
    public async Task With_a_token_an_unknown_admin_path_is_a_404_problem()
    {
        using var viewer = Client(GatewayInstance.ViewerToken);

        var response = await viewer.GetAsync("/admin/no-such-route");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("/not-found", (await response.Content.ReadFromJsonAsync<JsonObject>())!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task With_a_token_a_wrong_method_is_a_405_problem_with_allow()
    {
        var response = await _gateway.Admin.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/admin/agents/auth-bot/rollback"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["POST"], response.Content.Headers.Allow);
        var problem = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.EndsWith("/method-not-allowed", problem["type"]!.GetValue<string>());
        Assert.Equal(405, problem["status"]!.GetValue<int>());
        Assert.Contains("DELETE", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task Viewer_may_read_but_not_change()
    {
        using var viewer = Client(GatewayInstance.ViewerToken);

        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/admin/agents/auth-bot")).StatusCode);
        var write = await viewer.PostAsync("/admin/agents/auth-bot/rollback", GatewayInstance.Json(new { }));

        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
        Assert.Equal("application/problem+json", write.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, (await _gateway.GetAgentAsync("auth-bot"))["generation"]!.GetValue<long>());
    }

    [Fact]
    public async Task Reporter_may_neither_read_nor_change_release_state()
    {
        using var reporter = Client(GatewayInstance.ReporterToken);

        Assert.Equal(HttpStatusCode.Forbidden, (await reporter.GetAsync("/admin/agents/auth-bot")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reporter.PutAsync("/admin/agents/auth-bot", GatewayInstance.Json(new { }))).StatusCode);
    }

    [Theory]
    [InlineData(GatewayInstance.OperatorToken, "admin", "operator")]
    [InlineData(GatewayInstance.ViewerToken, "dashboard", "viewer")]
    [InlineData(GatewayInstance.ReporterToken, "evaluator", "reporter")]
    public async Task Every_token_may_ask_its_own_name_and_role(string token, string name, string role)
    {
        using var client = Client(token);

        var whoami = await client.GetFromJsonAsync<JsonObject>("/admin/whoami");

        Assert.Equal(name, whoami!["name"]!.GetValue<string>());
        Assert.Equal(role, whoami["role"]!.GetValue<string>());
        using var anonymous = Client(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/admin/whoami")).StatusCode);
    }

    [Fact]
    public async Task Operator_actions_are_recorded_with_the_token_name()
    {
        var response = await _gateway.PutAgentAsync("auth-bot", new { bakeTime = "2h" });

        await GatewayInstance.EnsureAsync(response);
        using var viewer = Client(GatewayInstance.ViewerToken);
        var history = await viewer.GetStringAsync("/admin/agents/auth-bot/history?limit=1");
        Assert.Contains("\"actor\":\"admin\"", history);
    }

    private HttpClient Client(string? token)
    {
        var client = new HttpClient { BaseAddress = new Uri(_gateway.AdminUrl) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }
}
