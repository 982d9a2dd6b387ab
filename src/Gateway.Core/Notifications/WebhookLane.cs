using System.Threading.Channels;
using Polly;

namespace Rollgate.Notifications;

/// <summary>
/// The queue, sender and delivery pipeline of one endpoint. Endpoints never share a sender, so a dead or slow receiver
/// only delays its own deliveries, and each receiver gets its events in order.
/// </summary>
internal sealed class WebhookLane
{
    private readonly Channel<WebhookDelivery> _queue;
    private int _started;
    private long _dropped;

    public WebhookLane(Uri url, int capacity, Action<WebhookLane> onDropped, WebhookPipelineFactory pipelines)
    {
        Url = url;
        // Userinfo and query strings often carry tokens, so logs get the URL without them.
        LogUrl = url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
        Pipeline = pipelines.Create(LogUrl);
        _queue = Channel.CreateBounded<WebhookDelivery>(
            new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                SingleWriter = false,
            },
            _ => onDropped(this));
    }

    public Uri Url { get; }

    public string LogUrl { get; }

    /// <summary>Retries and times this endpoint's attempts; built with the lane, shared by all its deliveries.</summary>
    public ResiliencePipeline<HttpResponseMessage> Pipeline { get; }

    /// <summary>Counts a drop from this lane's full queue and returns how many it has dropped so far.</summary>
    public long CountDrop() => Interlocked.Increment(ref _dropped);

    public ChannelReader<WebhookDelivery> Reader => _queue.Reader;

    /// <summary>False only once the lane has retired; the caller then routes to a fresh lane.</summary>
    public bool TryWrite(WebhookDelivery delivery) => _queue.Writer.TryWrite(delivery);

    public void Retire() => _queue.Writer.TryComplete();

    /// <summary>True for exactly one caller, which starts the sender.</summary>
    public bool TryClaimStart() => Interlocked.Exchange(ref _started, 1) == 0;
}
