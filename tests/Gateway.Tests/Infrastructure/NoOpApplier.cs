using System.Diagnostics;
using Rollgate.Release;

namespace Rollgate.Tests.Infrastructure;

/// <summary>An applier for tests that drive the ReleaseManager without a routing table.</summary>
public sealed class NoOpApplier : IReleaseApplier
{
    public ValueTask<long> ApplyCommittedAsync(AgentRecord record, CancellationToken cancellationToken) => ValueTask.FromResult(Stopwatch.GetTimestamp());
}
