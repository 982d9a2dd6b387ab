using System.Runtime.CompilerServices;
using Prometheus;

namespace Rollgate.Notifications;

/// <summary>Webhook delivery outcomes. The children are created up front so every series reads 0 from startup.</summary>
public static class WebhookMetrics
{
    public static readonly Counter Deliveries = Metrics.CreateCounter(
        "rollgate_webhook_deliveries_total",
        "Webhook deliveries by final outcome: delivered, failed (refused or out of attempts) or dropped (queue full or shutdown).",
        new CounterConfiguration { LabelNames = ["outcome"] });

    internal static readonly ICounter Delivered = Deliveries.WithLabels("delivered");
    internal static readonly ICounter Failed = Deliveries.WithLabels("failed");
    internal static readonly ICounter Dropped = Deliveries.WithLabels("dropped");

    /// <summary>Creates the series now: the fields above are only initialized when the type is first touched, which a gateway without webhooks never does.</summary>
    public static void Publish() => RuntimeHelpers.RunClassConstructor(typeof(WebhookMetrics).TypeHandle);
}
