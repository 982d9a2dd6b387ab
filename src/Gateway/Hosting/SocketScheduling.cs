namespace Rollgate.Hosting;

/// <summary>
/// Where socket work runs. By default .NET hands every socket completion from its event (epoll) thread to the thread
/// pool, and Kestrel queues the connection's work once more, so each read of a proxied request wakes other threads.
/// With <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c> in the environment the runtime runs completions on the
/// event thread; Kestrel is then told to continue inline too, as either alone saves little. That spends less CPU per
/// request but makes every connection of an event thread wait while that thread is descheduled, so the tail latency
/// grows on a busy machine: an operator's choice (docs/performance.md), off by default.
/// </summary>
public static class SocketScheduling
{
    /// <summary>The runtime's switch, read once when the process makes its first socket.</summary>
    public const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Whether the runtime runs socket completions inline (the value it reads: exactly <c>1</c>).</summary>
    public static bool Inline => Environment.GetEnvironmentVariable(InlineCompletionsVariable) == "1";
}
