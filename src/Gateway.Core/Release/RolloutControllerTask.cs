using Rollgate.Fleet;

namespace Rollgate.Release;

/// <summary>Runs the <see cref="RolloutScheduler"/> on the controller replica.</summary>
public sealed class RolloutControllerTask(RolloutScheduler scheduler) : IControllerTask
{
    public Task RunAsync(CancellationToken cancellationToken) => scheduler.TickAsync(cancellationToken);
}
