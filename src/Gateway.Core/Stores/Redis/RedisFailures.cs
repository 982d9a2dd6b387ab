using StackExchange.Redis;

namespace Rollgate.Stores.Redis;

/// <summary>
/// Which Redis failures mean "Redis cannot serve right now" (answered with 503 and retried later) rather than a bug,
/// shared by every Redis-backed part of a replica.
/// </summary>
internal static class RedisFailures
{
    public static bool IsUnavailable(Exception ex) => ex switch
    {
        RedisConnectionException or RedisTimeoutException or TimeoutException => true,
        // Redis is up but cannot serve yet: replaying its append-only file, failing over, resharding, or out of memory.
        RedisServerException server => server.Message.StartsWith("LOADING", StringComparison.Ordinal)
            || server.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
            || server.Message.StartsWith("READONLY", StringComparison.Ordinal)
            || server.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal)
            || server.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal)
            || server.Message.StartsWith("BUSY", StringComparison.Ordinal)
            || server.Message.StartsWith("OOM", StringComparison.Ordinal),
        _ => false,
    };

    /// <summary>Runs a Redis operation, turning "Redis cannot serve" into <see cref="StoreUnavailableException"/>.</summary>
    /// <param name="maybeApplied">A timed-out write may still have reached Redis; say so instead of implying nothing was written.</param>
    public static async Task<T> Guard<T>(string operation, Func<Task<T>> action, bool maybeApplied = false)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (IsUnavailable(ex))
        {
            var outcome = maybeApplied && ex is RedisTimeoutException ? " It may or may not have been applied; re-read before retrying." : "";
            throw new StoreUnavailableException($"Redis is unavailable ({operation} failed: {Reason(ex)}).{outcome}", ex);
        }
    }

    /// <summary>
    /// What an operator reading an API answer needs; the client's full text (connection diagnostics, thread-pool
    /// counters) stays on the inner exception, for the log.
    /// </summary>
    private static string Reason(Exception ex) => ex switch
    {
        RedisConnectionException => "no connection to Redis",
        RedisTimeoutException or TimeoutException => "Redis did not answer in time",
        RedisServerException server => server.Message.Split(' ', 2)[0] switch
        {
            "LOADING" => "Redis is loading its data",
            "MASTERDOWN" or "READONLY" => "Redis is failing over",
            "OOM" => "Redis is out of memory",
            var code => $"Redis answered {code}",
        },
        _ => "Redis failed",
    };
}
