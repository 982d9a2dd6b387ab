namespace Rollgate.Stores.Redis;

/// <summary>
/// Tuning of the Redis store and of the other Redis-backed parts of a replica, bound from <c>Rollgate:RedisStore</c>
/// (<c>Rollgate:Redis</c> is the connection string). The defaults are what the gateway uses in production.
/// </summary>
public sealed class RedisStoreOptions
{
    public const string SectionName = "Rollgate:RedisStore";

    /// <summary>First segment of every key and of the change channel; lets several gateways share one Redis.</summary>
    public string KeyPrefix { get; set; } = RedisKeys.DefaultPrefix;

    /// <summary>How often the safety-net poller compares generations (pub/sub can lose messages).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A replica whose last heartbeat is older than this no longer counts in the fleet.</summary>
    public TimeSpan ReplicaTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Heartbeats older than this are deleted.</summary>
    public TimeSpan ReplicaRetention { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Connect and command timeout, unless the configuration string sets its own: admin writes must fail fast.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Attempts at claiming a version number before giving up; each lost attempt means another version was added.</summary>
    public int MaxVersionAttempts { get; set; } = 64;
}
