using Microsoft.Extensions.Options;
using Rollgate.Configuration;

namespace Rollgate.Stores.Redis;

/// <summary>Checks every <see cref="RedisStoreOptions"/> setting, each failure named by its full key.</summary>
public sealed class RedisStoreOptionsValidator : IValidateOptions<RedisStoreOptions>
{
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(1);

    public ValidateOptionsResult Validate(string? name, RedisStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var checks = new SettingChecks(RedisStoreOptions.SectionName);
        if (!RedisKeys.IsValidPrefix(options.KeyPrefix))
        {
            checks.Fail(nameof(RedisStoreOptions.KeyPrefix), $"'{options.KeyPrefix}' {RedisKeys.PrefixRule}");
        }

        checks.Within(nameof(RedisStoreOptions.PollInterval), options.PollInterval, MinInterval);
        checks.Within(nameof(RedisStoreOptions.ReplicaTimeout), options.ReplicaTimeout, MinInterval);
        checks.Within(nameof(RedisStoreOptions.ReplicaRetention), options.ReplicaRetention, MinInterval);
        checks.NotLess(nameof(RedisStoreOptions.ReplicaRetention), options.ReplicaRetention, nameof(RedisStoreOptions.ReplicaTimeout), options.ReplicaTimeout);
        // StackExchange.Redis takes its timeouts in whole milliseconds.
        checks.Within(nameof(RedisStoreOptions.Timeout), options.Timeout, MinInterval);
        checks.AtLeast(nameof(RedisStoreOptions.MaxVersionAttempts), options.MaxVersionAttempts, 1);
        return checks.Result;
    }

    /// <summary>Throws when the options are invalid, for callers that construct them in code.</summary>
    internal static void ThrowIfInvalid(RedisStoreOptions options) => SettingChecks.ThrowIfInvalid(new RedisStoreOptionsValidator(), options);
}
