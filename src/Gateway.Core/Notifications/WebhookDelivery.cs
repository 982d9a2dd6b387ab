namespace Rollgate.Notifications;

/// <summary>One payload bound for one endpoint. The body is serialized once and shared by all of an event's endpoints.</summary>
internal sealed record WebhookDelivery(string Type, string EventId, byte[] Body);
