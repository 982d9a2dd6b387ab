using Rollgate.Release;
using Rollgate.Stores;

namespace Rollgate.Tests.Infrastructure;

/// <summary>
/// Stands in for the release synchroniser in tests that run release commands without a routing table: a commit counts
/// as routed at once, and this replica acknowledges it in the store, as the synchroniser does.
/// </summary>
public sealed class ImmediateApplier(IRollgateStore store, TimeProvider time) : IReleaseApplier
{
    public const string ReplicaId = "test-replica";

    public async ValueTask<long> ApplyCommittedAsync(AgentRecord record, CancellationToken cancellationToken)
    {
        var applied = time.GetTimestamp();
        await store.AcknowledgeAsync(ReplicaId, record.Name, record.Generation, cancellationToken);
        return applied;
    }
}
