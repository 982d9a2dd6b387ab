using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Rollgate.Tests.Infrastructure;
using Rollgate.Tests.Managed;
using Rollgate.Tests.Quality;

namespace Rollgate.Tests.WebConsole;

/// <summary>The console's live comparison shows a version's judged quality once its agent's judge has scored answers.</summary>
public sealed class JudgedQualityConsoleTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>, IAsyncLifetime
{
    private const string Agent = "judged-console-bot";
    private readonly ModelEndpoint _model = new();
    private readonly JudgeEndpoint _judge = new();
    private GatewayInstance _gateway = null!;

    public async Task InitializeAsync()
    {
        _model.Answers("Paris.");
        _judge.Says("""{"score": 0.875}""");
        _gateway = await GatewayInstance.StartAsync();
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync(Agent, JsonNode.Parse($$"""
            {"mode": "openai", "quality": {"judge": {"endpoint": "{{_judge.Endpoint}}", "model": "judge"}, "sampleRate": 1, "rubric": "Be right."} }
            """)!.ToJsonString()));
        var version = new JsonObject { ["model"] = new JsonObject { ["name"] = "gpt-test", ["endpoint"] = _model.Endpoint } };
        await GatewayInstance.EnsureAsync(await _gateway.Admin.PostAsync($"/admin/agents/{Agent}/versions", GatewayInstance.Json(version.ToJsonString())));
        await _gateway.DeployAsync(Agent, 1);
        for (var i = 0; i < 4; i++)
        {
            var chat = new StringContent("""{"messages": [{"role": "user", "content": "Capital of France?"}]}""", Encoding.UTF8, "application/json");
            (await _gateway.Proxy.PostAsync($"/agents/{Agent}/v1/chat/completions", chat)).EnsureSuccessStatusCode();
        }

        await Eventually.TrueAsync(async () =>
            (await _gateway.Admin.GetFromJsonAsync<JsonObject>($"/admin/agents/{Agent}/metrics"))!["versions"]!.AsArray()
                .Any(v => (long?)v!["qualityScored"] == 4), "the four answers are scored");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _model.Dispose();
        _judge.Dispose();
    }

    [Fact]
    public async Task The_comparison_shows_each_versions_judged_quality()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(_gateway.AdminUrl + "/");
        await page.GetByLabel("Admin token").FillAsync(GatewayInstance.ViewerToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.Locator($"tr[data-agent='{Agent}']").GetByRole(AriaRole.Link, new() { Name = Agent }).ClickAsync();

        var row = page.Locator("table.comparison tr", new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = "Judged quality" }) });
        await Assertions.Expect(row).ToContainTextAsync("0.875");
        await Assertions.Expect(page.Locator("figure.chart-card figcaption", new() { HasTextString = "Judged quality" })).ToBeVisibleAsync();
    }
}
