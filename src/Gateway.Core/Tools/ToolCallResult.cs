namespace Rollgate.Tools;

/// <summary>How one tool call ended, as the circuit breaker judges it.</summary>
public enum ToolCallEnd : byte
{
    /// <summary>The tool answered below 500 (a 4xx is the caller's mistake, not the tool's).</summary>
    Answered,

    /// <summary>The tool answered 5xx: a failure, and its answer goes to the caller as it is.</summary>
    ServerError,

    /// <summary>The tool refused the connection, reset it or broke off its answer: a failure.</summary>
    BackendFault,

    /// <summary>The caller went away or sent a body that could not be read: no judgement on the tool.</summary>
    ClientFault,

    /// <summary>The gateway could not build the request (a bug, never by design): no judgement on the tool.</summary>
    GatewayFault,
}

/// <summary>The result a tool's resilience pipeline sees for one call.</summary>
/// <param name="End">How the call ended.</param>
/// <param name="Detail">For a fault: what went wrong, in words for a problem's detail.</param>
public readonly record struct ToolCallResult(ToolCallEnd End, string? Detail = null)
{
    public bool IsFailure => End is ToolCallEnd.ServerError or ToolCallEnd.BackendFault;

    public static readonly ToolCallResult Answered = new(ToolCallEnd.Answered);
}
