using System.Diagnostics;

namespace Rollgate.Tests.Infrastructure;

/// <summary>Polls a condition until a deadline instead of sleeping a fixed time.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How often a condition is looked at again until its deadline.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    public static async Task TrueAsync(Func<bool> condition, string because, TimeSpan? timeout = null)
        => await TrueAsync(() => Task.FromResult(condition()), because, timeout);

    public static async Task TrueAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        if (!await WithinAsync(condition, timeout ?? DefaultTimeout))
        {
            Assert.Fail($"Timed out after {clock.Elapsed.TotalSeconds:F1} s waiting until {because}.");
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds (true) or <paramref name="timeout"/> has passed (false).</summary>
    public static async Task<bool> WithinAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            await Task.Delay(PollInterval);
        }

        return true;
    }

    /// <summary>Retries <paramref name="action"/> while it throws <typeparamref name="TException"/>; returns its first result.</summary>
    public static async Task<T> SucceedsAsync<T, TException>(Func<Task<T>> action, string because, TimeSpan? timeout = null)
        where TException : Exception
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await action();
            }
            catch (TException) when (clock.Elapsed < (timeout ?? DefaultTimeout))
            {
                await Task.Delay(PollInterval);
            }
        }
    }
}
