using System.Text.Json;

namespace Rollgate.Release;

/// <summary>One entry in an agent's history; written in the same atomic step as the change it describes.</summary>
public sealed record HistoryEvent
{
    public required string Id { get; init; }
    public required DateTimeOffset At { get; init; }
    public required string Type { get; init; }
    public required string Actor { get; init; }
    public int? From { get; init; }
    public int? To { get; init; }
    public required long Generation { get; init; }
    public string? Detail { get; init; }
    /// <summary>For rule-caused events: time from the condition first holding to the decision.</summary>
    public double? DetectMs { get; init; }
    /// <summary>Time from the decision to the durable commit of the change.</summary>
    public double? ApplyMs { get; init; }
    public JsonElement? Evidence { get; init; }
    /// <summary>For <c>drill</c> events: the drill's result and timings.</summary>
    public Drills.DrillReport? Drill { get; init; }

    public static string NewId(DateTimeOffset at) => "evt_" + Guid.CreateVersion7(at).ToString("N");
}
