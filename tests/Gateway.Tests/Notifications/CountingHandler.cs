using System.Collections.Concurrent;

namespace Rollgate.Tests.Notifications;

/// <summary>
/// Records when each request is sent, per host:port, on the test's clock, so attempts and the waits between them are
/// visible even where nothing answers.
/// </summary>
internal sealed class CountingHandler(TimeProvider time) : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<DateTimeOffset>> _sent = new();

    public int Count(Uri url) => SentAt(url).Count;

    public IReadOnlyList<DateTimeOffset> SentAt(Uri url) => _sent.TryGetValue(url.Authority, out var times) ? times.ToArray() : [];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _sent.GetOrAdd(request.RequestUri!.Authority, _ => new()).Enqueue(time.GetUtcNow());
        return base.SendAsync(request, cancellationToken);
    }
}
