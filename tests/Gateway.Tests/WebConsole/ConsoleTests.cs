using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.WebConsole;

/// <summary>
/// The operator console in a real browser against a real gateway: sign in, see the agents, open one, roll back with
/// one click and the confirmation, see the answer, and find the rollback done through the API; a viewer sees no
/// button that changes anything; a refused token returns to sign-in.
/// </summary>
public sealed class ConsoleTests(ConsoleBrowser browser) : IClassFixture<ConsoleBrowser>, IAsyncLifetime
{
    private const string Agent = "console-bot";

    private GatewayInstance _gateway = null!;
    private TestBackend _v1 = null!;
    private TestBackend _v2 = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayInstance.StartAsync();
        _v1 = await TestBackend.StartAsync("v1");
        _v2 = await TestBackend.StartAsync("v2");
        await GatewayInstance.EnsureAsync(await _gateway.PutAgentAsync(Agent, new { rules = new[] { "rollback when error_rate > 50% for 1m" } }));
        var stable = await _gateway.CreateVersionAsync(Agent, _v1.Url, "You are helpful.", new { notes = "first release" });
        var canary = await _gateway.CreateVersionAsync(Agent, _v2.Url, "You are terse.", new { notes = "shorter answers" });
        await _gateway.DeployAsync(Agent, stable);
        await _gateway.DeployAsync(Agent, canary, "canary", new { steps = new[] { 50, 100 }, stepDuration = "1h" });
        for (var i = 0; i < 20; i++)
        {
            (await _gateway.Proxy.GetAsync($"/agents/{Agent}/ask?n={i}")).EnsureSuccessStatusCode();
        }
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _v1.DisposeAsync();
        await _v2.DisposeAsync();
    }

    [Fact]
    public async Task An_operator_signs_in_opens_an_agent_and_rolls_back_with_one_click_and_a_confirmation()
    {
        var page = await browser.NewPageAsync();
        var violations = WatchForCspViolations(page);
        await SignInAsync(page, GatewayInstance.OperatorToken);

        var row = page.Locator($"tr[data-agent='{Agent}']");
        await Assertions.Expect(row).ToContainTextAsync("canary");
        await Assertions.Expect(row).ToContainTextAsync("50%");
        await row.GetByRole(AriaRole.Link, new() { Name = Agent }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = Agent, Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("table.versions tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("table.comparison")).ToContainTextAsync("Requests");
        await Assertions.Expect(page.Locator("table.comparison")).Not.ToContainTextAsync("Judged quality"); // no judge, no row

        await page.GetByRole(AriaRole.Button, new() { Name = "Roll back" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await Assertions.Expect(dialog).ToBeVisibleAsync();
        await Assertions.Expect(dialog.GetByLabel("Target version")).ToHaveValueAsync("1");
        await dialog.GetByLabel("Reason (optional)").FillAsync("answers too terse");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Confirm rollback" }).ClickAsync();

        var answer = page.Locator("#rollback-result");
        await Assertions.Expect(answer).ToContainTextAsync("Rolled back v2 → v1");
        await Assertions.Expect(Fact(answer, "replicas acked")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^1 of 1"));
        await Assertions.Expect(Fact(answer, "applied in")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^[0-9.]+ ms$"));
        await Assertions.Expect(Fact(answer, "from")).ToHaveTextAsync("v2");
        await Assertions.Expect(Fact(answer, "to")).ToHaveTextAsync("v1");
        await Assertions.Expect(page.Locator(".summary")).ToContainTextAsync("rolled back");

        var agent = await _gateway.GetAgentAsync(Agent);
        Assert.Equal("rolled_back", agent["status"]!.GetValue<string>());
        Assert.Equal(1, agent["stable"]!.GetValue<int>());
        Assert.Null(agent["canary"]);
        Assert.Contains(2, agent["rolledBackVersions"]!.AsArray().Select(v => v!.GetValue<int>()));
        var history = await _gateway.Admin.GetFromJsonAsync<JsonObject>($"/admin/agents/{Agent}/history?limit=1");
        var last = history!["events"]![0]!;
        Assert.Equal("rollback", last["type"]!.GetValue<string>());
        Assert.Equal("admin", last["actor"]!.GetValue<string>());
        Assert.Equal("answers too terse", last["detail"]!.GetValue<string>());
        Assert.Empty(violations);
    }

    [Fact]
    public async Task An_operator_runs_a_drill_with_one_click_and_sees_it_pass()
    {
        await _gateway.DeployAsync(Agent, 2); // v2 stable, v1 before it: the drill's target
        var page = await browser.NewPageAsync();
        await SignInAsync(page, GatewayInstance.OperatorToken);
        await page.GetByRole(AriaRole.Link, new() { Name = Agent }).ClickAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Run drill" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Run drill" }).ClickAsync();

        var answer = page.Locator("#drill-result");
        await Assertions.Expect(answer).ToContainTextAsync("Drill passed: v2 → v1 and back");
        await Assertions.Expect(Fact(answer, "replicas acked")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^1 of 1"));
        var agent = await _gateway.GetAgentAsync(Agent);
        Assert.Equal(2, agent["stable"]!.GetValue<int>());
        var last = (await _gateway.Admin.GetFromJsonAsync<JsonObject>($"/admin/agents/{Agent}/history?limit=1"))!["events"]![0]!;
        Assert.Equal("drill", last["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_tools_page_shows_each_tools_circuit_on_each_replica()
    {
        await _gateway.PutToolAsync("refund", $"http://127.0.0.1:{FreePort.Get()}", new { minimumThroughput = 2 });
        for (var i = 0; i < 2; i++)
        {
            await _gateway.Proxy.PostAsync("/tools/refund/refunds", new StringContent("{}"));
        }

        var page = await browser.NewPageAsync();
        await SignInAsync(page, GatewayInstance.ViewerToken);
        await page.GetByRole(AriaRole.Link, new() { Name = "Tools" }).ClickAsync();

        var row = page.Locator("tr[data-tool='refund']");
        await Assertions.Expect(row).ToContainTextAsync("open");
        await Assertions.Expect(row.Locator("ul.replicas li")).ToHaveCountAsync(1);
        await Assertions.Expect(row.Locator("ul.replicas li")).ToContainTextAsync("open");
    }

    [Fact]
    public async Task A_viewer_sees_the_agent_and_no_button_that_changes_anything()
    {
        var page = await browser.NewPageAsync();
        await SignInAsync(page, GatewayInstance.ViewerToken);
        await Assertions.Expect(page.Locator(".who")).ToContainTextAsync("dashboard · viewer");

        await page.GetByRole(AriaRole.Link, new() { Name = Agent }).ClickAsync();
        await Assertions.Expect(page.Locator("table.versions tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator(".panel-rules")).ToContainTextAsync("rollback when error_rate > 50% for 1m");
        await Assertions.Expect(page.Locator("ol.timeline li")).ToHaveCountAsync(3);

        // Reading controls only: signing out and comparing versions change nothing on the gateway.
        var buttons = await page.GetByRole(AriaRole.Button).AllInnerTextsAsync();
        Assert.Equal(["Show diff", "Sign out"], buttons.Select(b => b.Trim()).Order());
        Assert.Equal(0, await page.Locator(".actions").CountAsync());
    }

    [Fact]
    public async Task A_refused_token_returns_to_sign_in()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(_gateway.AdminUrl + "/");
        await page.GetByLabel("Admin token").FillAsync("not-a-token");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#signin-error")).ToContainTextAsync("sign in again");
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('rollgate.token')"));

        await SignInAsync(page, GatewayInstance.OperatorToken);
        await Assertions.Expect(page.Locator($"tr[data-agent='{Agent}']")).ToBeVisibleAsync();
        // The token stops being accepted (as after a rotation): the next refresh answers 401.
        await page.EvaluateAsync("sessionStorage.setItem('rollgate.token', 'revoked-token')");

        await Assertions.Expect(page.GetByLabel("Admin token")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#signin-error")).ToContainTextAsync("The token was refused");
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('rollgate.token')"));
        Assert.Empty(await page.Context.CookiesAsync());
        Assert.Equal(0, await page.EvaluateAsync<int>("localStorage.length"));
    }

    [Fact]
    public async Task On_a_phone_sized_screen_the_agent_page_fits_and_every_control_has_an_accessible_name()
    {
        var page = await browser.NewPageAsync(390, 844);
        await SignInAsync(page, GatewayInstance.OperatorToken);
        await page.GetByRole(AriaRole.Link, new() { Name = Agent }).ClickAsync();
        await Assertions.Expect(page.Locator("table.versions tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator(".chart-card")).ToHaveCountAsync(7);

        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"),
            "the page scrolls sideways on a phone-sized screen");
        var unnamed = await page.EvaluateAsync<string[]>("""
            [...document.querySelectorAll('button, select, input, a[href]')]
              .filter(e => e.offsetParent !== null || e.closest('dialog'))
              .filter(e => !(e.getAttribute('aria-label') || (e.labels && e.labels.length && e.labels[0].textContent.trim()) || e.textContent.trim()))
              .map(e => e.outerHTML)
            """);
        Assert.Empty(unnamed);
    }

    private async Task SignInAsync(IPage page, string token)
    {
        if (page.Url != _gateway.AdminUrl + "/")
        {
            await page.GotoAsync(_gateway.AdminUrl + "/");
        }

        await page.GetByLabel("Admin token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Agents" })).ToBeVisibleAsync();
    }

    /// <summary>The value of one fact of an answer (<c>&lt;dt&gt;term&lt;/dt&gt;&lt;dd&gt;value&lt;/dd&gt;</c>).</summary>
    private static ILocator Fact(ILocator answer, string term) => answer.Locator($"dt:text-is('{term}') + dd");

    /// <summary>Collects what the browser reports as blocked by the Content-Security-Policy.</summary>
    private static List<string> WatchForCspViolations(IPage page)
    {
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add(message.Text);
            }
        };
        return violations;
    }
}
