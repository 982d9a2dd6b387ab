using Rollgate.Stores;
using Rollgate.Stores.Redis;
using StackExchange.Redis;

namespace Rollgate.Signals;

/// <summary>Connection and error mapping shared by <see cref="RedisFigureStore"/> and <see cref="RedisRequestLedger"/>.</summary>
public static class RedisSignals
{
    /// <summary>
    /// Connects with the gateway's fail-fast settings (<see cref="RedisStore"/>'s: no abort on connect failure, 2 s
    /// timeouts, no backlog), so the process starts while Redis is down and flushes fail at once instead of queueing.
    /// The figure store and the ledger may share this connection.
    /// </summary>
    public static async Task<IConnectionMultiplexer> ConnectAsync(string configuration, RedisStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return await ConnectionMultiplexer.ConnectAsync(RedisStore.CreateConfiguration(configuration, options ?? new RedisStoreOptions()));
    }

    internal static void ValidatePrefix(string keyPrefix)
    {
        if (string.IsNullOrWhiteSpace(keyPrefix) || keyPrefix.IndexOfAny(['{', '}']) >= 0)
        {
            throw new ArgumentException("The key prefix must be non-empty and must not contain '{' or '}'.", nameof(keyPrefix));
        }
    }
}
