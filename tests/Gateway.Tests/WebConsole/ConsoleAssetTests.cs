using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rollgate.Admin.WebConsole;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.WebConsole;

/// <summary>How the admin listener serves the console's files: without a token, under a strict policy, cacheable by ETag.</summary>
public sealed class ConsoleAssetTests : IAsyncLifetime
{
    private GatewayInstance _gateway = null!;
    private HttpClient _anonymous = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayInstance.StartAsync();
        _anonymous = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = new Uri(_gateway.AdminUrl) };
    }

    public async Task DisposeAsync()
    {
        _anonymous.Dispose();
        await _gateway.DisposeAsync();
    }

    [Theory]
    [InlineData("/", "text/html", "<title>Rollgate console</title>")]
    [InlineData("/console/js/api.js", "text/javascript", "sessionStorage")]
    [InlineData("/console/console.css", "text/css", ".bar")]
    public async Task The_console_is_served_without_a_token_under_a_strict_content_security_policy(string path, string mediaType, string content)
    {
        var response = await _anonymous.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(content, await response.Content.ReadAsStringAsync());
        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Equal(ConsoleEndpoints.ContentSecurityPolicy, policy);
        Assert.Contains("script-src 'self';", policy);
        Assert.DoesNotContain("unsafe", policy);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task The_page_has_no_inline_script_or_style_and_loads_nothing_from_elsewhere()
    {
        var html = await _anonymous.GetStringAsync("/");

        Assert.DoesNotMatch(@"<script(?![^>]*\ssrc=)", html);
        Assert.DoesNotContain("<style", html);
        Assert.DoesNotContain(" style=", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", ""));
        Assert.DoesNotContain("https://", html);
    }

    [Fact]
    public async Task Files_are_compressed_for_browsers_that_accept_it_and_revalidated_by_etag()
    {
        var plain = await _anonymous.GetAsync("/console/js/views/agent.js");
        using var compressedRequest = new HttpRequestMessage(HttpMethod.Get, "/console/js/views/agent.js");
        compressedRequest.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        compressedRequest.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("br"));
        var compressed = await _anonymous.SendAsync(compressedRequest);
        using var again = new HttpRequestMessage(HttpMethod.Get, "/console/js/views/agent.js");
        again.Headers.IfNoneMatch.Add(plain.Headers.ETag!);
        var notModified = await _anonymous.SendAsync(again);

        Assert.Empty(plain.Content.Headers.ContentEncoding);
        Assert.Equal(["br"], compressed.Content.Headers.ContentEncoding);
        Assert.True(compressed.Content.Headers.ContentLength < plain.Content.Headers.ContentLength / 2);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal("no-cache", plain.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task An_unknown_console_file_is_the_usual_404_problem_and_the_admin_api_still_needs_a_token()
    {
        var missing = await _anonymous.GetAsync("/console/js/nothing.js");
        var api = await _anonymous.GetAsync("/admin/agents");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith("/not-found", (await missing.Content.ReadFromJsonAsync<JsonObject>())!["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
    }

    [Fact]
    public async Task The_console_is_not_served_on_the_proxy_listener()
        => Assert.Equal(HttpStatusCode.NotFound, (await _gateway.Proxy.GetAsync("/console/js/main.js")).StatusCode);
}
