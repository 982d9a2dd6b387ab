namespace Rollgate.Rules.Evaluation;

/// <summary>
/// What the rule evaluator carries from one evaluation of an agent to the next. It is kept where the next controller
/// can read it, so a lease that moves neither restarts <c>for</c> windows nor hides a recent firing. Which rules
/// already acted is not kept here: that is part of the release state, committed with the action itself.
/// </summary>
public sealed record RuleMemory
{
    /// <summary>The key of the subject the timers belong to (<see cref="Evaluation.Subject.Key"/>); none when nothing is deployed.</summary>
    public string? Subject { get; init; }

    /// <summary>When the evaluation that wrote this memory ran.</summary>
    public required DateTimeOffset EvaluatedAt { get; init; }

    /// <summary>Rule text → since when its condition has held at every evaluation.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> HeldSince { get; init; } = new Dictionary<string, DateTimeOffset>();

    /// <summary>Rule text → its status when it last fired (shown for a while even after the subject changed).</summary>
    public IReadOnlyDictionary<string, RuleStatus> LastFiring { get; init; } = new Dictionary<string, RuleStatus>();
}
