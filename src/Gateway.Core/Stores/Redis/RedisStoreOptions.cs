namespace Rollgate.Stores.Redis;

/// <summary>Tuning of <see cref="RedisStore"/>; the defaults are what the gateway uses in production.</summary>
public sealed record RedisStoreOptions
{
    /// <summary>First segment of every key and of the change channel; lets several gateways share one Redis.</summary>
    public string KeyPrefix { get; init; } = RedisKeys.DefaultPrefix;

    /// <summary>How often the safety-net poller compares generations (pub/sub can lose messages).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A replica whose last heartbeat is older than this no longer counts in the fleet.</summary>
    public TimeSpan ReplicaTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Heartbeats older than this are deleted.</summary>
    public TimeSpan ReplicaRetention { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Connect and command timeout, unless the configuration string sets its own: admin writes must fail fast.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Attempts at claiming a version number before giving up; each lost attempt means another version was added.</summary>
    public int MaxVersionAttempts { get; init; } = 64;

    internal void Validate()
    {
        if (!RedisKeys.IsValidPrefix(KeyPrefix))
        {
            throw new ArgumentException($"KeyPrefix {RedisKeys.PrefixRule}.", nameof(KeyPrefix));
        }

        if (PollInterval <= TimeSpan.Zero || ReplicaTimeout <= TimeSpan.Zero || ReplicaRetention < ReplicaTimeout || Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("PollInterval, ReplicaTimeout and Timeout must be positive and ReplicaRetention at least ReplicaTimeout.");
        }

        if (MaxVersionAttempts < 1)
        {
            throw new ArgumentException("MaxVersionAttempts must be at least 1.", nameof(MaxVersionAttempts));
        }
    }
}
