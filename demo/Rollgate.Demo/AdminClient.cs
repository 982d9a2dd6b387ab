using System.Text;
using System.Text.Json.Nodes;

namespace Rollgate.Demo;

/// <summary>The few admin API calls the demo makes, as JSON in and out; a refused call is a <see cref="DemoFailure"/>.</summary>
public sealed class AdminClient(string adminUrl, string token) : IDisposable
{
    private readonly HttpClient _http = InProcessHost.Client(adminUrl, token);

    public async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                if ((await _http.GetAsync("/readyz", cancellationToken)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // listener not up yet
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new DemoFailure("the gateway did not become ready (GET /readyz) within 10 s");
    }

    public Task<JsonObject> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, null, cancellationToken);

    public Task<JsonObject> PutAsync(string path, string json, CancellationToken cancellationToken) => SendAsync(HttpMethod.Put, path, json, cancellationToken);

    public Task<JsonObject> PostAsync(string path, string json, CancellationToken cancellationToken) => SendAsync(HttpMethod.Post, path, json, cancellationToken);

    /// <summary>The Prometheus text of <c>GET /metrics</c>.</summary>
    public Task<string> MetricsAsync(CancellationToken cancellationToken) => _http.GetStringAsync("/metrics", cancellationToken);

    private async Task<JsonObject> SendAsync(HttpMethod method, string path, string? json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new DemoFailure($"{method} {path} answered {(int)response.StatusCode}: {body}");
        }

        return JsonNode.Parse(body)?.AsObject() ?? throw new DemoFailure($"{method} {path} answered no JSON object");
    }

    public void Dispose() => _http.Dispose();
}
