namespace Rollgate.Release;

/// <summary>What the release state remembers of rollback drills: the last one, and the one under way.</summary>
public sealed record DrillState
{
    /// <summary>When the last drill ended, passed or failed; scheduled drills count from here.</summary>
    public DateTimeOffset? LastAt { get; init; }

    /// <summary><c>passed</c> or <c>failed</c>.</summary>
    public string? LastResult { get; init; }

    public DateTimeOffset? LastPassedAt { get; init; }

    /// <summary>Set from a drill's rollback until its restore, so that drills never overlap and an abandoned one can be undone.</summary>
    public DrillRun? Running { get; init; }
}

/// <summary>A drill between its rollback and its restore.</summary>
/// <param name="Id">The id of the drill's rollback event.</param>
/// <param name="From">The stable the drill left, which the restore puts back.</param>
/// <param name="To">The version the drill rolled back to.</param>
/// <param name="StartedAt">When the rollback was decided.</param>
/// <param name="Before">The release state before the rollback (without its drill record): what the restore puts back.</param>
public sealed record DrillRun(string Id, int From, int To, DateTimeOffset StartedAt, ReleaseState Before);
