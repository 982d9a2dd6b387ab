namespace Rollgate.Tools;

/// <summary>A registered tool as the store keeps it; versioned by <see cref="Generation"/> like an agent.</summary>
public sealed record ToolRecord
{
    public required string Name { get; init; }
    /// <summary>Bumped by one on every change; the tool's ETag. A deleted and re-registered tool starts again at 1.</summary>
    public required long Generation { get; init; }
    public required ToolDefinition Definition { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}
