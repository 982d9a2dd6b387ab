using Polly;
using Polly.Timeout;

namespace Rollgate.Tools;

/// <summary>What a tool's circuit breaker counts as a failure: backend faults and timeouts, never the caller's doing.</summary>
public static class ToolCallFailures
{
    public static bool IsFailure(Outcome<ToolCallResult> outcome) => outcome.Exception switch
    {
        null => outcome.Result.IsFailure,
        TimeoutRejectedException => true,
        OperationCanceledException => false, // the call was abandoned (the caller left, or the gateway is stopping)
        _ => true, // the tool could not be reached
    };
}
