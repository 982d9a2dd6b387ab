using Microsoft.Playwright;

namespace Rollgate.Tests.Infrastructure;

/// <summary>
/// Headless Chromium driven by Playwright, shared by a test class. It is Debian's <c>chromium</c> (test.sh installs it
/// when missing; <c>ROLLGATE_CHROMIUM</c> names another executable): Playwright's own browser download is never used.
/// </summary>
public sealed class ConsoleBrowser : IAsyncLifetime
{
    public static readonly string Executable = Environment.GetEnvironmentVariable("ROLLGATE_CHROMIUM") ?? "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"No Chromium at {Executable}: install Debian's chromium (./test.sh does) or set ROLLGATE_CHROMIUM.");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Executable, Headless = true });
    }

    /// <summary>A fresh tab in a fresh context (its own sessionStorage) at the given viewport size.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 800)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
