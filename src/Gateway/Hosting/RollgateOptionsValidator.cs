using Rollgate.Configuration;
using StackExchange.Redis;

namespace Rollgate.Hosting;

/// <summary>Checks every <see cref="RollgateOptions"/> setting, each failure named by its full key.</summary>
public sealed class RollgateOptionsValidator() : SettingsValidator<RollgateOptions>(RollgateOptions.SectionName)
{
    protected override void Check(RollgateOptions options, SettingChecks checks)
    {
        var proxyPort = Port(checks, nameof(RollgateOptions.ProxyUrl), options.ProxyUrl);
        var adminPort = Port(checks, nameof(RollgateOptions.AdminUrl), options.AdminUrl);
        if (proxyPort is not null && proxyPort == adminPort)
        {
            checks.Fail(nameof(RollgateOptions.AdminUrl), $"and {checks.Key(nameof(RollgateOptions.ProxyUrl))} must use different ports (both are {proxyPort})");
        }

        if (!options.UsesFile && !options.UsesRedis)
        {
            checks.Fail(nameof(RollgateOptions.Store), $"'{options.Store}' must be 'file' or 'redis'");
        }

        checks.Present(nameof(RollgateOptions.DataDir), options.DataDir);
        if (options.UsesRedis)
        {
            CheckRedis(checks, options.Redis);
        }

        foreach (var (key, token) in options.Tokens)
        {
            checks.Present($"{nameof(RollgateOptions.Tokens)}:{key}:{nameof(TokenOptions.Token)}", token.Token);
            if (!TokenOptions.TryParseRole(token.Role, out _))
            {
                checks.Fail($"{nameof(RollgateOptions.Tokens)}:{key}:{nameof(TokenOptions.Role)}", $"'{token.Role}' must be viewer, operator or reporter");
            }
        }

        checks.Within(nameof(RollgateOptions.EvaluationInterval), options.EvaluationInterval, SettingChecks.MinPeriod);
        if (options.ControllerLease is { } lease)
        {
            // A lease shorter than two intervals lapses between renewals whenever one tick runs late.
            checks.Within(nameof(RollgateOptions.ControllerLease), lease, SettingChecks.MinPeriod);
            if (lease < 2 * options.EvaluationInterval)
            {
                checks.Fail(nameof(RollgateOptions.ControllerLease), $"must be at least twice {checks.Key(nameof(RollgateOptions.EvaluationInterval))} " +
                    $"(it is {lease:c}, the interval {options.EvaluationInterval:c})");
            }
        }

        checks.Present(nameof(RollgateOptions.ReplicaId), options.ReplicaId);
        checks.Within(nameof(RollgateOptions.BackendTimeout), options.BackendTimeout, SettingChecks.MinPeriod);
        checks.AtLeast(nameof(RollgateOptions.MaxRequestBodySize), options.MaxRequestBodySize, 1);
    }

    private static int? Port(SettingChecks checks, string property, string url)
    {
        if (ListenerAddresses.TryGetPort(url, out var port))
        {
            return port;
        }

        checks.Fail(property, $"'{url}' {ListenerAddresses.UrlRule}");
        return null;
    }

    /// <remarks>The value is not repeated: it may hold a password.</remarks>
    private static void CheckRedis(SettingChecks checks, string configuration)
    {
        try
        {
            if (ConfigurationOptions.Parse(configuration).EndPoints.Count == 0)
            {
                checks.Fail(nameof(RollgateOptions.Redis), "names no Redis server (expected host:port, then options such as ,password=…)");
            }
        }
        catch (ArgumentException ex)
        {
            checks.Fail(nameof(RollgateOptions.Redis), $"is not a Redis configuration string: {ex.Message}");
        }
    }
}
