using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rollgate.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace Rollgate.Tests.Tools;

/// <summary>
/// A canary that misuses a healthy tool: its calls fail where the stable's succeed, so <c>tool_error_rate</c> against
/// the stable's baseline rolls it back, while the tool's own circuit (judging all callers together) stays closed.
/// </summary>
public sealed class ToolErrorRateRuleTests : IAsyncLifetime
{
    private const string Agent = "misuse-bot";
    private readonly WireMockServer _tool = WireMockServer.Start();
    private GatewayInstance _gateway = null!;
    private TestBackend _v1 = null!;
    private TestBackend _v2 = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayInstance.StartAsync(settings: new Dictionary<string, string> { ["Rollgate:EvaluationInterval"] = "1s" });
        _v1 = await TestBackend.StartAsync("v1");
        _v2 = await TestBackend.StartAsync("v2");
        _tool.Given(Request.Create().WithPath("/refunds")).RespondWith(Response.Create().WithStatusCode(200));
        _tool.Given(Request.Create().WithPath("/refunds/bad-arguments")).RespondWith(Response.Create().WithStatusCode(500));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _v1.DisposeAsync();
        await _v2.DisposeAsync();
        _tool.Stop();
    }

    [Fact]
    public async Task A_canary_whose_tool_calls_fail_is_rolled_back_by_tool_error_rate_against_the_stable()
    {
        const string rule = "rollback when tool_error_rate > 2x baseline over 30s min 10 requests";
        await _gateway.PutToolAsync("refund", _tool.Url!, new { minimumThroughput = 1000 });
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync(Agent, new { rules = new[] { rule } }));
        await _gateway.CreateVersionAsync(Agent, _v1.Url, "stable");
        await _gateway.CreateVersionAsync(Agent, _v2.Url, "canary");
        await _gateway.DeployAsync(Agent, 1);
        await _gateway.DeployAsync(Agent, 2, "canary", new { steps = new[] { 50, 100 }, stepDuration = "1h" });

        for (var i = 0; i < 20; i++)
        {
            await CallToolAsAsync(1, i % 10 == 0 ? "/refunds/bad-arguments" : "/refunds"); // the stable: 10 % failed
            await CallToolAsAsync(2, i % 2 == 0 ? "/refunds/bad-arguments" : "/refunds"); // the canary: 50 % failed
        }

        await Eventually.TrueAsync(async () => (await _gateway.GetAgentAsync(Agent))["canary"] is null, "the canary is rolled back", TimeSpan.FromSeconds(15));
        var rollback = (await _gateway.Admin.GetFromJsonAsync<JsonObject>($"/admin/agents/{Agent}/history?limit=1"))!["events"]![0]!;
        Assert.Equal("rule: " + rule, rollback["actor"]!.GetValue<string>());
        Assert.Equal(20, rollback["evidence"]!["subject"]!["requests"]!.GetValue<long>());
        Assert.Equal("closed", (await _gateway.Admin.GetFromJsonAsync<JsonObject>("/admin/tools/refund"))!["state"]!.GetValue<string>());
    }

    private async Task CallToolAsAsync(int version, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/tools/refund" + path) { Content = new StringContent("{}") };
        request.Headers.Add("X-Rollgate-Agent", Agent);
        request.Headers.Add("X-Rollgate-Version", version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await _gateway.Proxy.SendAsync(request);
    }
}
