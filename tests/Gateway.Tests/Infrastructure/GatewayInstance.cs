using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Rollgate.Hosting;

namespace Rollgate.Tests.Infrastructure;

/// <summary>
/// The real gateway host listening on two free loopback ports, with an operator, a viewer and a reporter token.
/// Started the way Program.cs starts it, only with arguments chosen by the test.
/// </summary>
public sealed class GatewayInstance : IAsyncDisposable
{
    public const string OperatorToken = "test-operator-token";
    public const string ViewerToken = "test-viewer-token";
    public const string ReporterToken = "test-reporter-token";

    private readonly WebApplication _app;

    private GatewayInstance(WebApplication app, string proxyUrl, string adminUrl, string dataDir)
    {
        _app = app;
        ProxyUrl = proxyUrl;
        AdminUrl = adminUrl;
        DataDir = dataDir;
        Proxy = new HttpClient { BaseAddress = new Uri(proxyUrl), Timeout = TimeSpan.FromSeconds(30) };
        Admin = new HttpClient { BaseAddress = new Uri(adminUrl), Timeout = TimeSpan.FromSeconds(30) };
        Admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);
    }

    public string ProxyUrl { get; }
    public string AdminUrl { get; }
    public string DataDir { get; }
    public HttpClient Proxy { get; }
    /// <summary>Admin client carrying the operator token.</summary>
    public HttpClient Admin { get; }
    public IServiceProvider Services => _app.Services;

    public static string NewDataDir() => Path.Combine(Path.GetTempPath(), "rollgate-test-" + Guid.NewGuid().ToString("N"));

    public static async Task<GatewayInstance> StartAsync(string? dataDir = null, IDictionary<string, string>? settings = null, bool withTokens = true)
    {
        dataDir ??= NewDataDir();
        var proxyUrl = $"http://127.0.0.1:{FreePort.Get()}";
        var adminUrl = $"http://127.0.0.1:{FreePort.Get()}";
        var config = new Dictionary<string, string>
        {
            ["Rollgate:ProxyUrl"] = proxyUrl,
            ["Rollgate:AdminUrl"] = adminUrl,
            ["Rollgate:DataDir"] = dataDir,
            ["Rollgate:BackendTimeout"] = "5s",
            // ROLLGATE_TEST_LOGS=Information shows the gateway's own log when debugging a test.
            ["Logging:LogLevel:Default"] = Environment.GetEnvironmentVariable("ROLLGATE_TEST_LOGS") ?? "Warning",
        };
        if (withTokens)
        {
            config["Rollgate:AdminToken"] = OperatorToken;
            config["Rollgate:Tokens:0:Name"] = "dashboard";
            config["Rollgate:Tokens:0:Token"] = ViewerToken;
            config["Rollgate:Tokens:0:Role"] = "viewer";
            config["Rollgate:Tokens:1:Name"] = "evaluator";
            config["Rollgate:Tokens:1:Token"] = ReporterToken;
            config["Rollgate:Tokens:1:Role"] = "reporter";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            config[key] = value;
        }

        var args = config.Select(kv => $"--{kv.Key}={kv.Value}").ToArray();
        var app = GatewayHost.Build(args);
        await app.StartAsync();
        var instance = new GatewayInstance(app, proxyUrl, adminUrl, dataDir);
        await Eventually.TrueAsync(async () => (await instance.Admin.GetAsync("/readyz")).IsSuccessStatusCode, "the gateway is ready");
        return instance;
    }

    public async ValueTask DisposeAsync()
    {
        Proxy.Dispose();
        Admin.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    // ---- admin helpers: thin wrappers so tests read like the README walk-through ----

    public Task<HttpResponseMessage> PutAgentAsync(string agent, object? definition = null)
        => Admin.PutAsync($"/admin/agents/{agent}", Json(definition ?? new { }));

    public async Task<int> CreateVersionAsync(string agent, string backendUrl, string prompt = "You are helpful.", object? extra = null)
    {
        var body = new JsonObject
        {
            ["prompt"] = new JsonObject { ["system"] = prompt },
            ["backend"] = new JsonObject { ["destinations"] = new JsonArray(backendUrl) },
        };
        if (extra is not null)
        {
            foreach (var (key, value) in JsonSerializer.SerializeToNode(extra)!.AsObject())
            {
                body[key] = value?.DeepClone();
            }
        }

        var response = await Admin.PostAsync($"/admin/agents/{agent}/versions", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        await EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["number"]!.GetValue<int>();
    }

    public async Task<JsonObject> DeployAsync(string agent, int version, string strategy = "immediate", object? extra = null)
    {
        var body = JsonSerializer.SerializeToNode(new { version, strategy })!.AsObject();
        if (extra is not null)
        {
            foreach (var (key, value) in JsonSerializer.SerializeToNode(extra)!.AsObject())
            {
                body[key] = value?.DeepClone();
            }
        }

        var response = await Admin.PostAsync($"/admin/agents/{agent}/deployments", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        await EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public async Task<JsonObject> RollbackAsync(string agent, object? body = null)
    {
        var response = await Admin.PostAsync($"/admin/agents/{agent}/rollback", Json(body ?? new { }));
        await EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    public async Task<JsonObject> GetAgentAsync(string agent)
    {
        var response = await Admin.GetAsync($"/admin/agents/{agent}");
        await EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!;
    }

    /// <summary>Registers (or replaces) a tool; <paramref name="breaker"/> overrides the breaker's defaults.</summary>
    public async Task PutToolAsync(string tool, string endpoint, object? breaker = null, string timeout = "5s", string probePath = "")
    {
        var response = await Admin.PutAsync($"/admin/tools/{tool}", Json(new { endpoint, timeout, probePath, breaker = breaker ?? new { } }));
        await EnsureAsync(response);
    }

    /// <summary>The value of one series of <c>/metrics</c>, or 0 when it is not exported.</summary>
    public async Task<double> MetricAsync(string series)
    {
        var text = await Admin.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A version's figures from <c>GET …/metrics</c> once <paramref name="ready"/> holds (replicas write figures once a second).</summary>
    public async Task<JsonObject> FiguresAsync(string agent, int version, Func<JsonObject, bool> ready)
    {
        JsonObject? figures = null;
        await Eventually.TrueAsync(async () =>
        {
            var versions = (await Admin.GetFromJsonAsync<JsonObject>($"/admin/agents/{agent}/metrics"))!["versions"]!.AsArray();
            figures = versions.Select(v => v!.AsObject()).FirstOrDefault(v => v["version"]!.GetValue<int>() == version);
            return figures is not null && ready(figures);
        }, $"version {version}'s figures are written");
        return figures!;
    }

    /// <summary>Registers an agent with one version on <paramref name="backendUrl"/> and deploys it.</summary>
    public async Task<int> ReleaseAsync(string agent, string backendUrl, object? definition = null)
    {
        await EnsureAsync(await PutAgentAsync(agent, definition));
        var version = await CreateVersionAsync(agent, backendUrl);
        await DeployAsync(agent, version);
        return version;
    }

    public static StringContent Json(object body)
        => new(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    public static async Task EnsureAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            Assert.Fail($"{(int)response.StatusCode} from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
