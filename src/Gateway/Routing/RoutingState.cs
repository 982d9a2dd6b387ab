namespace Rollgate.Routing;

/// <summary>Holds the current <see cref="RoutingTable"/>. A rollback is one reference swap; the next request sees it.</summary>
public sealed class RoutingState
{
    private RoutingTable _table = RoutingTable.Empty;

    public RoutingTable Current => Volatile.Read(ref _table);

    /// <summary>True once the release state was loaded from the store at least once (readiness).</summary>
    public bool Loaded { get; private set; }

    public void Publish(RoutingTable table)
    {
        Volatile.Write(ref _table, table);
        Loaded = true;
    }
}
