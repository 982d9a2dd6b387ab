namespace Rollgate.Release;

/// <summary>Who issues a release command, and what the command is conditioned on.</summary>
/// <param name="Actor">The history event's actor: a token name, <c>schedule</c>, <c>seed</c>, or <c>rule: </c> and the rule.</param>
public sealed record CommandIssuer(string Actor)
{
    /// <summary>
    /// The generation the issuer decided on (an If-Match header). When the agent has moved past it the command is
    /// refused; without it, a command that loses a race with another writer is decided again on the newer state.
    /// </summary>
    public long? IfMatch { get; init; }

    /// <summary>Set when a rule issues the command: the rule's condition and mark become part of the command's commit.</summary>
    public RuleFiring? Firing { get; init; }
}
