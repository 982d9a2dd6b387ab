namespace Rollgate.Quality;

/// <summary>What became of one sampled answer; the <c>outcome</c> label of <c>rollgate_judge_requests_total</c>.</summary>
public static class JudgeOutcome
{
    /// <summary>The judge answered a score from 0 to 1: it is in the version's figures.</summary>
    public const string Scored = "scored";

    /// <summary>The judge call failed: an error status, unreachable, timed out, its circuit open or its key missing; or the day's spend could not be read.</summary>
    public const string Failed = "failed";

    /// <summary>The judge answered, but not with a score from 0 to 1.</summary>
    public const string Unparseable = "unparseable";

    /// <summary>Not judged: the queue was full, or the request or answer too large to keep.</summary>
    public const string Dropped = "dropped";

    /// <summary>Not judged: the agent's judges spent its daily budget today, across the fleet.</summary>
    public const string OverBudget = "over_budget";

    /// <summary>Not judged: the answer had no text (tool calls only, a body of another shape, or not JSON or events).</summary>
    public const string Skipped = "skipped";
}
