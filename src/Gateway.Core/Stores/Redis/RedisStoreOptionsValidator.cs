using Rollgate.Configuration;

namespace Rollgate.Stores.Redis;

/// <summary>Checks every <see cref="RedisStoreOptions"/> setting, each failure named by its full key.</summary>
public sealed class RedisStoreOptionsValidator() : SettingsValidator<RedisStoreOptions>(RedisStoreOptions.SectionName)
{
    protected override void Check(RedisStoreOptions options, SettingChecks checks)
    {
        if (!RedisKeys.IsValidPrefix(options.KeyPrefix))
        {
            checks.Fail(nameof(RedisStoreOptions.KeyPrefix), $"'{options.KeyPrefix}' {RedisKeys.PrefixRule}");
        }

        checks.Within(nameof(RedisStoreOptions.PollInterval), options.PollInterval, SettingChecks.MinPeriod);
        checks.Within(nameof(RedisStoreOptions.ReplicaTimeout), options.ReplicaTimeout, SettingChecks.MinPeriod);
        checks.Within(nameof(RedisStoreOptions.ReplicaRetention), options.ReplicaRetention, SettingChecks.MinPeriod);
        checks.NotLess(nameof(RedisStoreOptions.ReplicaRetention), options.ReplicaRetention, nameof(RedisStoreOptions.ReplicaTimeout), options.ReplicaTimeout);
        // StackExchange.Redis takes its timeouts in whole milliseconds.
        checks.Within(nameof(RedisStoreOptions.Timeout), options.Timeout, SettingChecks.MinPeriod);
        checks.AtLeast(nameof(RedisStoreOptions.MaxVersionAttempts), options.MaxVersionAttempts, 1);
    }
}
