namespace Rollgate.Tests.Notifications;

/// <summary>
/// Passes requests on and counts the responses not yet disposed: an undisposed response holds its connection.
/// </summary>
internal sealed class DisposalTrackingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    private int _received;
    private int _disposed;

    public int Received => Volatile.Read(ref _received);

    public int Undisposed => Received - Volatile.Read(ref _disposed);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        Interlocked.Increment(ref _received);
        // Disposing a response disposes its content, so the content's disposal shows the response's.
        response.Content = new TrackedContent(response.Content, () => Interlocked.Increment(ref _disposed));
        return response;
    }

    private sealed class TrackedContent(HttpContent inner, Action onDisposed) : HttpContent
    {
        private int _disposed;

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => inner.CopyToAsync(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                inner.Dispose();
                onDisposed();
            }

            base.Dispose(disposing);
        }
    }
}
