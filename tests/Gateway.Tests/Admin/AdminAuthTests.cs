using System.Net;
using System.Net.Http.Headers;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Admin;

/// <summary>Bearer tokens and roles (spec §4): 401 without a known token, 403 where the role may not act.</summary>
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
