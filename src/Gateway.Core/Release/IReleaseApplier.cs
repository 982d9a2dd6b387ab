namespace Rollgate.Release;

/// <summary>Makes this replica route by a committed record right away, without waiting for the change feed.</summary>
public interface IReleaseApplier
{
    /// <returns>
    /// The timestamp, on the <see cref="TimeProvider"/> the release commands are measured with
    /// (<see cref="TimeProvider.GetTimestamp"/>), at which requests started being routed by <paramref name="record"/>.
    /// </returns>
    ValueTask<long> ApplyCommittedAsync(AgentRecord record, CancellationToken cancellationToken);
}
