using System.Text.Json.Serialization;

namespace Rollgate.Drills;

/// <summary>What a rollback drill found: the answer to <c>POST …/drill</c> and the body of its <c>drill</c> history event.</summary>
/// <param name="Result"><see cref="Passed"/> or <see cref="Failed"/>.</param>
/// <param name="From">The stable the drill left and put back.</param>
/// <param name="To">The version the drill rolled back to.</param>
/// <param name="RollbackMs">The rollback command: from its decision until every replica routed by it (or the wait for them ended).</param>
/// <param name="VerifyMs">Checking the rollback: the fleet's acknowledgements and this replica's data path.</param>
/// <param name="RestoreMs">The restore command and checking it the same way.</param>
/// <param name="TotalMs">From the rollback's decision to the end of the last check.</param>
/// <param name="Replicas">Live replicas that acknowledged, in whichever of the two changes fewer did.</param>
/// <param name="Failure">Why the drill failed; null when it passed.</param>
public sealed record DrillReport(
    string Result,
    int From,
    int To,
    double RollbackMs,
    double VerifyMs,
    double RestoreMs,
    double TotalMs,
    DrillReplicas Replicas,
    string? Failure)
{
    public const string Passed = "passed";
    public const string Failed = "failed";

    [JsonIgnore]
    public bool HasPassed => Result == Passed;
}

/// <param name="Acked">Null when the store could not say.</param>
/// <param name="Total">Null when the store could not say.</param>
public sealed record DrillReplicas(int? Acked, int? Total);
