using System.Collections.Concurrent;
using Rollgate.Stores;

namespace Rollgate.Tools;

/// <summary>The circuit board of a gateway on the file store: one process, so the fleet is this replica.</summary>
public sealed class InMemoryCircuitBoard(TimeProvider time) : ICircuitBoard
{
    private readonly ConcurrentDictionary<string, IReadOnlyList<CircuitReport>> _byReplica = new(StringComparer.Ordinal);
    private readonly Lock _watchersLock = new();
    private Action[] _watchers = [];

    public Task PublishAsync(string replica, IReadOnlyList<CircuitReport> reports, bool changed, CancellationToken cancellationToken)
    {
        _byReplica[replica] = reports;
        if (changed)
        {
            foreach (var watcher in Volatile.Read(ref _watchers))
            {
                watcher();
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<CircuitReport>> ReadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return Task.FromResult<IReadOnlyList<CircuitReport>>(_byReplica.Values.SelectMany(r => r).Where(r => CircuitBoards.IsLive(r, now)).ToArray());
    }

    public IDisposable Watch(Action onChange)
    {
        lock (_watchersLock)
        {
            _watchers = [.. _watchers, onChange];
        }

        return new Unsubscriber(() =>
        {
            lock (_watchersLock)
            {
                _watchers = [.. _watchers.Where(w => w != onChange)];
            }
        });
    }
}
