using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Rollgate.Signals;

/// <summary>
/// Once a second (on the <see cref="TimeProvider"/>): <see cref="FigureFlusher.FlushAsync"/> and
/// <see cref="IRequestLedger.FlushAsync"/>. Failures are logged and retried by the next tick, never thrown; at shutdown
/// everything recorded is drained once more (for at most <see cref="ShutdownDrainTimeout"/>).
/// </summary>
public sealed partial class FigureFlusherService(
    FigureFlusher flusher,
    IRequestLedger ledger,
    TimeProvider timeProvider,
    ILogger<FigureFlusherService>? logger = null) : BackgroundService
{
    public static readonly TimeSpan ShutdownDrainTimeout = TimeSpan.FromSeconds(3);

    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>Completed ticks (for tests and diagnostics).</summary>
    public long Ticks => Interlocked.Read(ref _ticks);

    private long _ticks;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(flusher.Interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await TickAsync(drain: false, stoppingToken);
                Interlocked.Increment(ref _ticks);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ShutdownDrainTimeout);
        try
        {
            await TickAsync(drain: true, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            LogNotDrained(_logger);
        }
    }

    private async Task TickAsync(bool drain, CancellationToken cancellationToken)
    {
        try
        {
            await (drain ? flusher.DrainAsync(cancellationToken) : flusher.FlushAsync(cancellationToken));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFlushFailed(_logger, ex);
        }

        try
        {
            await ledger.FlushAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogLedgerFlushFailed(_logger, ex);
        }
    }

    [LoggerMessage(510, LogLevel.Warning, "Figures and request ids recorded in the last seconds were not all written before shutdown.")]
    private static partial void LogNotDrained(ILogger logger);

    [LoggerMessage(511, LogLevel.Error, "Flushing figures failed; they stay pending for the next tick.")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception);

    [LoggerMessage(512, LogLevel.Error, "Flushing the request ledger failed; entries stay buffered for the next tick.")]
    private static partial void LogLedgerFlushFailed(ILogger logger, Exception exception);
}
