namespace Rollgate.Release;

/// <summary>What a release transition decided: a new state with its history event, or why it was refused.</summary>
public abstract record TransitionOutcome
{
    public sealed record Changed(ReleaseState State, HistoryEvent Event) : TransitionOutcome;

    /// <summary>Refused: nothing changes; <paramref name="Detail"/> tells an operator why, in the agent's terms.</summary>
    public sealed record Refused(RefusalReason Reason, string Title, string Detail) : TransitionOutcome;
}
