using StackExchange.Redis;

namespace Rollgate.Stores.Redis;

/// <summary>
/// The gateway's connection settings, shared by every Redis-backed part of a replica: no abort on a failed connect,
/// short timeouts and no backlog, so the process starts while Redis is down and calls fail at once instead of queueing.
/// </summary>
public static class RedisConnection
{
    /// <summary>Connects with <see cref="CreateConfiguration"/>; the figure store, ledger and rule stores may share it.</summary>
    public static async Task<IConnectionMultiplexer> ConnectAsync(string configuration, RedisStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return await ConnectionMultiplexer.ConnectAsync(CreateConfiguration(configuration, options ?? new RedisStoreOptions()));
    }

    /// <summary>Our defaults for fail-fast behaviour; settings named in the configuration string win.</summary>
    internal static ConfigurationOptions CreateConfiguration(string configuration, RedisStoreOptions options)
    {
        var config = ConfigurationOptions.Parse(configuration);
        var timeout = (int)options.Timeout.TotalMilliseconds;
        if (!Mentions(configuration, "abortConnect"))
        {
            config.AbortOnConnectFail = false;
        }

        if (!Mentions(configuration, "connectTimeout"))
        {
            config.ConnectTimeout = timeout;
        }

        if (!Mentions(configuration, "syncTimeout"))
        {
            config.SyncTimeout = timeout;
        }

        if (!Mentions(configuration, "asyncTimeout"))
        {
            config.AsyncTimeout = timeout;
        }

        // Without FailFast, commands issued while disconnected wait in a backlog until the timeout and may be
        // sent later; an admin write must rather fail at once with 503.
        config.BacklogPolicy = BacklogPolicy.FailFast;
        // Reconnect within a second or two of Redis returning (the default backs off up to ten seconds).
        config.ReconnectRetryPolicy = new ExponentialRetry(250, 2000);
        return config;
    }

    private static bool Mentions(string configuration, string key)
        => configuration.Split(',').Any(part => part.TrimStart().StartsWith(key + "=", StringComparison.OrdinalIgnoreCase));
}
