namespace Rollgate.Tools;

/// <summary>
/// A wake-up for a loop that re-reads everything it needs when woken: any number of <see cref="Set"/> calls before the
/// loop waits again wake it once.
/// </summary>
internal sealed class WakeUp
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Set()
    {
        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already due: the next pass covers this call too.
        }
    }

    public Task WaitAsync(CancellationToken cancellationToken) => _signal.WaitAsync(cancellationToken);
}
