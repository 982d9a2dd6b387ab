namespace Rollgate.Agents;

/// <summary>Where the conversation key that pins a session to one version is read from; exactly one of the three is set.</summary>
public sealed record StickyBy
{
    public static readonly StickyBy Default = new() { Header = RollgateHeaders.SessionId };

    public string? Header { get; init; }
    public string? Cookie { get; init; }
    public string? Query { get; init; }
}
