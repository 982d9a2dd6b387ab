using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rollgate.Stores;

namespace Rollgate.Tools;

/// <summary>
/// Posts this replica's circuit states to the fleet's <see cref="ICircuitBoard"/>: at once when a circuit changes
/// state (so the controller can degrade agents within milliseconds), and every second to renew the reports (so they
/// stay live while this replica does). The breakers themselves never wait for the board: with the store down they go
/// on working locally, and the next report after it returns tells the fleet where they are.
/// </summary>
public sealed partial class CircuitReporter(ToolCircuits circuits, ICircuitBoard board, string replica, TimeProvider time, ILogger<CircuitReporter> logger)
    : BackgroundService
{
    public static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(1);

    private readonly WakeUp _wakeUp = new();
    private int _changed;

    /// <summary>Publishes every circuit's report now.</summary>
    public async Task PublishAsync(bool changed, CancellationToken cancellationToken)
    {
        var reports = circuits.Active.Select(c => c.Report(replica)).ToArray();
        try
        {
            await board.PublishAsync(replica, reports, changed, cancellationToken);
        }
        catch (StoreUnavailableException ex)
        {
            if (changed)
            {
                Volatile.Write(ref _changed, 1); // tell the fleet again with the next renewal
            }

            LogPublishFailed(logger, ex);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        circuits.StateChanged += OnStateChanged;
        try
        {
            using var timer = time.CreateTimer(_ => _wakeUp.Set(), null, RenewInterval, RenewInterval);
            while (!stoppingToken.IsCancellationRequested)
            {
                await PublishAsync(Interlocked.Exchange(ref _changed, 0) == 1, stoppingToken);
                await _wakeUp.WaitAsync(stoppingToken);
            }
        }
        finally
        {
            circuits.StateChanged -= OnStateChanged;
        }
    }

    private void OnStateChanged(ToolCircuit circuit)
    {
        Volatile.Write(ref _changed, 1);
        _wakeUp.Set();
    }

    [LoggerMessage(1303, LogLevel.Debug, "Circuit states could not be posted to the fleet; the breakers keep working and the next renewal retries")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception);
}
