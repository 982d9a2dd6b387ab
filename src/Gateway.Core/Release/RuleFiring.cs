using System.Text.Json;

namespace Rollgate.Release;

/// <summary>
/// A rule acting on the version it watches. The command it issues goes ahead only while that subject is current and the
/// rule has not acted on it yet, and commits the rule's mark (<see cref="FiredRules"/>), its evidence and its detection
/// time in the same change as the action: no replica ever sees the action without the mark, or the mark without it.
/// </summary>
/// <param name="Rule">The rule's text.</param>
/// <param name="SubjectKey">Identifies the subject across evaluations (see <see cref="FiredRules.Subject"/>).</param>
/// <param name="SubjectVersion">The version the rule watches.</param>
/// <param name="IsSubjectCurrent">Whether a release state still has the subject in the role the rule judged it in.</param>
/// <param name="DetectMs">Time from the condition first holding to the decision.</param>
/// <param name="Evidence">Why the rule acted, for the history event.</param>
public sealed record RuleFiring(
    string Rule,
    string SubjectKey,
    int SubjectVersion,
    Func<ReleaseState, bool> IsSubjectCurrent,
    double DetectMs,
    JsonElement Evidence);
