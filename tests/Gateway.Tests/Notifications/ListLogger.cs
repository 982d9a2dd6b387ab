using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Rollgate.Tests.Notifications;

/// <summary>Keeps formatted log lines, and their event ids, so tests can check what is, and is not, written.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(int EventId, string Line)> _entries = new();

    public IReadOnlyList<string> Lines => _entries.Select(e => e.Line).ToArray();

    public IReadOnlyList<int> EventIds => _entries.Select(e => e.EventId).ToArray();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((eventId.Id, $"{logLevel}: {formatter(state, exception)}"));
}
