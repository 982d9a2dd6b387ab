using System.Collections.Concurrent;

namespace Rollgate.Tests.Notifications;

/// <summary>Counts the requests sent per host:port, so attempts are visible even where nothing answers.</summary>
internal sealed class CountingHandler() : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
{
    private readonly ConcurrentDictionary<string, int> _counts = new();

    public int Count(Uri url) => _counts.GetValueOrDefault(url.Authority);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _counts.AddOrUpdate(request.RequestUri!.Authority, 1, (_, n) => n + 1);
        return base.SendAsync(request, cancellationToken);
    }
}
