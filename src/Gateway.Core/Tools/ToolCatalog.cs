using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Rollgate.Stores;

namespace Rollgate.Tools;

/// <summary>
/// Keeps this replica's <see cref="ToolCircuits"/> equal to the tools in the store: at once when any replica changes a
/// tool (the store's tool watch), and every second regardless, so a missed notification costs at most a second. While
/// the store is unreachable the tools and their breakers stay as they are.
/// </summary>
public sealed partial class ToolCatalog(IRollgateStore store, ToolCircuits circuits, TimeProvider time, ILogger<ToolCatalog> logger) : BackgroundService
{
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    private readonly WakeUp _wakeUp = new();

    /// <summary>Reads the store's tools and applies them; false when the store could not be read.</summary>
    public async Task<bool> RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            circuits.Apply(await store.ListToolsAsync(cancellationToken));
            return true;
        }
        catch (StoreUnavailableException ex)
        {
            LogRefreshFailed(logger, ex);
            return false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var watch = store.WatchTools(_wakeUp.Set);
        using var timer = time.CreateTimer(_ => _wakeUp.Set(), null, RefreshInterval, RefreshInterval);
        while (!stoppingToken.IsCancellationRequested)
        {
            await RefreshAsync(stoppingToken);
            await _wakeUp.WaitAsync(stoppingToken);
        }
    }

    [LoggerMessage(1302, LogLevel.Debug, "Tools could not be read from the store; the tools and breakers this replica has stay as they are")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
