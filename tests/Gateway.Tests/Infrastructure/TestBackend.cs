using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Rollgate.Tests.Infrastructure;

/// <summary>
/// A real Kestrel agent backend on loopback. By default it echoes what it received (its name, path, query and
/// the X-Rollgate headers) as JSON; tests can replace the handler for streaming or failure behaviour.
/// </summary>
public sealed class TestBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestBackend(WebApplication app, string name, string url)
    {
        _app = app;
        Name = name;
        Url = url;
    }

    public string Name { get; }
    public string Url { get; }
    public int Requests => _requests;
    private int _requests;

    public static async Task<TestBackend> StartAsync(string name, Func<HttpContext, Task>? handler = null)
    {
        var url = $"http://127.0.0.1:{FreePort.Get()}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var backend = new TestBackend(app, name, url);
        app.Run(async context =>
        {
            Interlocked.Increment(ref backend._requests);
            await (handler ?? backend.EchoAsync)(context);
        });
        await app.StartAsync();
        return backend;
    }

    /// <summary>Besides every <c>X-</c> header, the echo shows these (what a proxy must set or drop).</summary>
    private static readonly HashSet<string> EchoedAlso = new(["Host", "Forwarded"], StringComparer.OrdinalIgnoreCase);

    private Task EchoAsync(HttpContext context)
    {
        var headers = context.Request.Headers
            .Where(h => h.Key.StartsWith("X-", StringComparison.OrdinalIgnoreCase) || EchoedAlso.Contains(h.Key))
            .ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        return context.Response.WriteAsJsonAsync(new Echo(Name, context.Request.Method, context.Request.Path, context.Request.QueryString.Value ?? "", headers)
        {
            RawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public sealed record Echo(string Backend, string Method, string Path, string Query, Dictionary<string, string> Headers)
    {
        /// <summary>The request target exactly as the backend received it (still percent-encoded).</summary>
        public string RawTarget { get; init; } = "";

        public static async Task<Echo> ReadAsync(HttpResponseMessage response)
        {
            var echo = JsonSerializer.Deserialize<Echo>(await response.Content.ReadAsStringAsync(), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
            // Header names are case-insensitive (HttpClient writes X-Request-ID for X-Request-Id).
            return echo with { Headers = new Dictionary<string, string>(echo.Headers, StringComparer.OrdinalIgnoreCase) };
        }
    }
}
