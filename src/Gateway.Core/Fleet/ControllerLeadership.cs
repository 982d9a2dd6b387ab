namespace Rollgate.Fleet;

/// <summary>Whether this replica holds the controller lease, as <see cref="ControllerService"/> last found; for work that reacts between ticks.</summary>
public sealed class ControllerLeadership
{
    private volatile bool _isLeader;

    public bool IsLeader
    {
        get => _isLeader;
        internal set => _isLeader = value;
    }
}
