using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rollgate.Stores;

namespace Rollgate.Fleet;

/// <summary>
/// Every interval, takes or renews the fleet's controller lease and, while holding it, runs the controller tasks
/// (rollout steps, rule evaluation). The lease outlives a few missed renewals, so a dead controller is replaced
/// within seconds while a slow tick does not flap leadership.
/// </summary>
public sealed partial class ControllerService(
    IRollgateStore store,
    IEnumerable<IControllerTask> tasks,
    ControllerOptions options,
    TimeProvider timeProvider,
    ILogger<ControllerService> logger,
    ControllerLeadership? leadership = null) : BackgroundService
{
    public const string LeaseName = "controller";

    private readonly IControllerTask[] _tasks = tasks.ToArray();

    public bool IsLeader { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Interval, timeProvider);
        do
        {
            await TickAsync(stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task TickAsync(CancellationToken cancellationToken)
    {
        try
        {
            var leader = await store.TryAcquireLeaseAsync(LeaseName, options.ReplicaId, options.LeaseDuration, cancellationToken);
            if (leader != IsLeader)
            {
                if (leader)
                {
                    LogBecameController(logger, options.ReplicaId);
                }
                else
                {
                    LogStoppedBeingController(logger, options.ReplicaId);
                }

                IsLeader = leader;
            }

            if (leadership is not null)
            {
                leadership.IsLeader = leader;
            }
        }
        catch (StoreUnavailableException ex)
        {
            // Without the store nobody can act safely; the lease lapses and is retaken when the store returns.
            LogLeaseNotRenewed(logger, ex);
            IsLeader = false;
            if (leadership is not null)
            {
                leadership.IsLeader = false;
            }
        }

        if (!IsLeader)
        {
            return;
        }

        foreach (var task in _tasks)
        {
            try
            {
                await task.RunAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogTaskFailed(logger, ex, task.GetType().Name);
            }
        }
    }

    [LoggerMessage(200, LogLevel.Information, "Replica {Replica} is now the controller")]
    private static partial void LogBecameController(ILogger logger, string replica);

    [LoggerMessage(201, LogLevel.Information, "Replica {Replica} is no longer the controller")]
    private static partial void LogStoppedBeingController(ILogger logger, string replica);

    [LoggerMessage(202, LogLevel.Debug, "Controller lease not renewed")]
    private static partial void LogLeaseNotRenewed(ILogger logger, Exception exception);

    [LoggerMessage(203, LogLevel.Warning, "Controller task {Task} failed; it runs again next interval")]
    private static partial void LogTaskFailed(ILogger logger, Exception exception, string task);
}

/// <param name="Lease">How long the lease outlives its last renewal; by default <see cref="LeaseDuration"/>'s rule.</param>
public sealed record ControllerOptions(string ReplicaId, TimeSpan Interval, TimeSpan? Lease = null)
{
    /// <summary>
    /// <see cref="Lease"/> when set, else five intervals and at least 3 s: long enough to survive a few slow ticks, short
    /// enough that a dead controller is replaced in seconds.
    /// </summary>
    public TimeSpan LeaseDuration => Lease ?? TimeSpan.FromTicks(Math.Max(Interval.Ticks * 5, TimeSpan.FromSeconds(3).Ticks));

    /// <summary>
    /// The longest pause between two ticks of a working fleet: the lease of a dead controller lapsing, then the next
    /// replica's tick, plus one tick to spare. Work that paused for longer was not done and is not taken up again.
    /// </summary>
    public TimeSpan Handover => LeaseDuration + 2 * Interval;
}
