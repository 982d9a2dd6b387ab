namespace Rollgate.Tools;

/// <summary>A tool circuit's state; the numbers are the values of <c>rollgate_tool_circuit_state</c>.</summary>
public enum CircuitState
{
    Closed = 0,
    HalfOpen = 1,
    Open = 2,
}
