using System.Globalization;
using Rollgate.Agents;
using Rollgate.Drills;
using Rollgate.Release;
using Rollgate.Security;
using Rollgate.Stores;

namespace Rollgate.Routing;

/// <summary>
/// A drill's check of this replica's data path. The gateway answers it itself: the agent's route in the live routing
/// table, at the drill's generation or later, must choose the expected version for a request in a stable bucket, by
/// the same <see cref="VersionChooser"/> every proxied request goes through. With <c>drill.probePath</c>, every
/// backend destination of that version must also answer a GET of the path with 2xx.
/// </summary>
public sealed class RoutingDrillProbe(RoutingState routing, TokenRegistry tokens, IRollgateStore store) : IDrillProbe, IDisposable
{
    private readonly VersionChooser _chooser = new(tokens);

    /// <summary>How long a destination may take to answer the probe path.</summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
    {
        Timeout = ProbeTimeout,
    };

    public async Task<string?> ProbeAsync(AgentRecord record, int version, CancellationToken cancellationToken)
    {
        if (RoutingFailure(record, version) is { } failure)
        {
            return failure;
        }

        if (record.Definition.Drill?.ProbePath is not { } path)
        {
            return null;
        }

        var target = await store.GetVersionAsync(record.Name, version, cancellationToken);
        var destinations = target?.Destinations() ?? [];
        if (destinations.Count == 0)
        {
            return $"version {version} has no backend destination to call drill.probePath on";
        }

        var failures = await Task.WhenAll(destinations.Select(d => CallAsync(d.TrimEnd('/') + path, cancellationToken)));
        return failures.FirstOrDefault(f => f is not null);
    }

    private string? RoutingFailure(AgentRecord record, int version)
    {
        if (!routing.Current.ByEntryRoute.TryGetValue(ProxyIds.EntryRoute(record.Name), out var route))
        {
            return "this replica does not route the agent";
        }

        if (route.Generation < record.Generation)
        {
            return $"this replica routes by generation {route.Generation}, not yet {record.Generation}";
        }

        var chosen = _chooser.Choose(route, StableBucketRequest(route, record.Definition.StickyBy));
        if (chosen?.Number != version)
        {
            return $"this replica's data path sends a stable-bucket request to {(chosen is null ? "no version" : "version " + chosen.NumberText)}, not version {version}";
        }

        return null;
    }

    /// <summary>A request without a preview whose conversation key falls in a bucket the canary does not have.</summary>
    private static HttpRequest StableBucketRequest(AgentRoute route, StickyBy stickyBy)
    {
        var key = "rollgate-drill";
        for (var i = 0; i < 1000 && StickyBucket.Of(route.BucketSeed, key) < route.CanaryThreshold; i++)
        {
            key = "rollgate-drill-" + i.ToString(CultureInfo.InvariantCulture);
        }

        var request = new DefaultHttpContext().Request;
        if (stickyBy.Cookie is { } cookie)
        {
            request.Headers.Cookie = cookie + "=" + key;
        }
        else if (stickyBy.Query is { } query)
        {
            request.QueryString = QueryString.Create(query, key);
        }
        else
        {
            request.Headers[stickyBy.Header ?? RollgateHeaders.SessionId] = key;
        }

        return request;
    }

    private async Task<string?> CallAsync(string url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            return response.IsSuccessStatusCode
                ? null
                : $"GET {url} answered {((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)}, not 2xx";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return ex is TaskCanceledException
                ? $"GET {url} did not answer within {Json.Duration.Format(ProbeTimeout)}"
                : $"GET {url} failed: {ex.Message}";
        }
    }

    public void Dispose() => _http.Dispose();
}
