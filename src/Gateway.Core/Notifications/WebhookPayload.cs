using System.Text.Json;

namespace Rollgate.Notifications;

/// <summary>
/// The JSON body POSTed to an agent's webhooks for one history event. Serialized camelCase with
/// <see cref="Rollgate.Json.RollgateJson.Options"/>, so null members are left out.
/// </summary>
public sealed record WebhookPayload
{
    public required string Agent { get; init; }
    /// <summary>The history event type: alert, pause, rollback, degrade, restore …</summary>
    public required string Type { get; init; }
    /// <summary>The rule's text when a rule caused the event.</summary>
    public string? Rule { get; init; }
    public string? Action { get; init; }
    /// <summary>The tool whose circuit caused a degrade or restore.</summary>
    public string? Tool { get; init; }
    public int? From { get; init; }
    public int? To { get; init; }
    public required long Generation { get; init; }
    public required DateTimeOffset At { get; init; }
    public string? Detail { get; init; }
    public JsonElement? Evidence { get; init; }
    /// <summary>For a failed rollback drill: its report.</summary>
    public Drills.DrillReport? Drill { get; init; }
    /// <summary>The history event's id; receivers use it to drop the duplicates that retries can cause.</summary>
    public required string EventId { get; init; }

    /// <summary>The payload of a committed history event of <paramref name="agent"/>: what it changed, its detail and evidence.</summary>
    public static WebhookPayload Of(string agent, Release.HistoryEvent historyEvent) => new()
    {
        Agent = agent,
        Type = historyEvent.Type,
        From = historyEvent.From,
        To = historyEvent.To,
        Generation = historyEvent.Generation,
        At = historyEvent.At,
        Detail = historyEvent.Detail,
        Evidence = historyEvent.Evidence,
        EventId = historyEvent.Id,
    };
}
