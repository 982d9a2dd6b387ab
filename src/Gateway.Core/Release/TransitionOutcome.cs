namespace Rollgate.Release;

/// <summary>What a release transition decided: a new state with its history event, or why it was refused.</summary>
public abstract record TransitionOutcome
{
    public sealed record Changed(ReleaseState State, HistoryEvent Event) : TransitionOutcome;

    /// <summary>Refused; <paramref name="Status"/> is the HTTP status an operator sees (409 for a conflict with the current state).</summary>
    public sealed record Refused(int Status, string Title, string Detail) : TransitionOutcome;
}
