using Rollgate.Fleet;

namespace Rollgate.Drills;

/// <summary>Runs the <see cref="DrillScheduler"/> on the controller replica.</summary>
public sealed class DrillControllerTask(DrillScheduler scheduler) : IControllerTask
{
    public Task RunAsync(CancellationToken cancellationToken) => scheduler.TickAsync(cancellationToken);
}
