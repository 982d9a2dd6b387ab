using Microsoft.Extensions.Options;
using Rollgate.Configuration;
using Rollgate.Managed;
using Rollgate.Notifications;
using Rollgate.Quality;
using Rollgate.Signals;
using Rollgate.Stores.Redis;

namespace Rollgate.Hosting;

/// <summary>Every <c>Rollgate:*</c> section the gateway reads, each bound to its options and checked at start-up.</summary>
public static class GatewaySettings
{
    public static IServiceCollection AddGatewaySettings(this IServiceCollection services)
    {
        services.AddSettings<RollgateOptions, RollgateOptionsValidator>(RollgateOptions.SectionName);
        services.AddSettings<RedisStoreOptions, RedisStoreOptionsValidator>(RedisStoreOptions.SectionName);
        services.AddSettings<FigureStoreOptions, FigureStoreOptionsValidator>(FigureStoreOptions.SectionName);
        services.AddSettings<FigureFlusherOptions, FigureFlusherOptionsValidator>(FigureFlusherOptions.SectionName);
        services.AddSettings<RequestLedgerOptions, RequestLedgerOptionsValidator>(RequestLedgerOptions.SectionName);
        services.AddSettings<WebhookOptions, WebhookOptionsValidator>(WebhookOptions.SectionName);
        services.AddSettings<ModelCircuitOptions, ModelCircuitOptionsValidator>(ModelCircuitOptions.SectionName);
        services.AddSettings<QualityOptions, QualityOptionsValidator>(QualityOptions.SectionName);
        return services;
    }

    /// <summary>
    /// Checks every setting now rather than when the host starts, so that bad values are one start-up refusal that
    /// names each of their keys.
    /// </summary>
    /// <exception cref="StartupException">Some setting is invalid.</exception>
    public static void ThrowIfInvalid(IServiceProvider services)
    {
        var failures = InvalidSettings.Find(services);
        if (failures.Count > 0)
        {
            throw StartupException.InvalidSetting(string.Join("; ", failures));
        }
    }

    /// <summary>The keys directly under <c>Rollgate</c>, once checked.</summary>
    public static RollgateOptions GetRollgateOptions(this IServiceProvider services) => services.GetRequiredService<IOptions<RollgateOptions>>().Value;
}
