using Microsoft.Extensions.Options;
using Rollgate.Quality;
using Rollgate.Rules.Evaluation;
using Rollgate.Signals;
using Rollgate.Stores;
using Rollgate.Stores.File;
using Rollgate.Stores.Redis;
using Rollgate.Tools;

namespace Rollgate.Hosting;

/// <summary>
/// Registers the store named by <c>Rollgate:Store</c> with its companions: figures, the request ledger, the
/// rule-state board, the circuit board, the judges' spend and the rule memory. <c>file</c> keeps them in this process; <c>redis</c> shares them with the fleet
/// over one connection. Which one is decided when they are first resolved, from the bound and validated settings.
/// </summary>
public static class StoreServices
{
    public static IServiceCollection AddRollgateStores(this IServiceCollection services)
    {
        // One instance, so that definitions are checked against the retention the figure store has.
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<FigureStoreOptions>>().Value);
        services.AddSingleton<IRollgateStore>(sp => Settings(sp).UsesRedis
            // Connecting does not wait for Redis: the gateway starts and routes on what it loads once Redis answers.
            ? RedisStore.ConnectAsync(Settings(sp).Redis, Time(sp), RedisSettings(sp), sp.GetRequiredService<ILogger<RedisStore>>()).GetAwaiter().GetResult()
            : FileStore.Open(Settings(sp).DataDir));
        services.AddSingleton<IFigureStore>(sp => Redis(sp) is { } redis
            ? new RedisFigureStore(redis.Connection, Figures(sp), redis.KeyPrefix)
            : new InMemoryFigureStore(Time(sp), Figures(sp)));
        services.AddSingleton<IRequestLedger>(sp => Redis(sp) is { } redis
            ? new RedisRequestLedger(redis.Connection, Time(sp), Ledger(sp), redis.KeyPrefix, sp.GetRequiredService<ILogger<RedisRequestLedger>>())
            : new InMemoryRequestLedger(Time(sp), Ledger(sp)));
        services.AddSingleton<IRuleStateBoard>(sp => Redis(sp) is { } redis
            ? new RedisRuleStateBoard(redis.Connection, redis.KeyPrefix)
            : new InMemoryRuleStateBoard());
        services.AddSingleton<ICircuitBoard>(sp => Redis(sp) is { } redis
            ? new RedisCircuitBoard(redis.Connection, redis.KeyPrefix, Time(sp), sp.GetRequiredService<ILogger<RedisCircuitBoard>>())
            : new InMemoryCircuitBoard(Time(sp)));
        services.AddSingleton<IJudgeSpend>(sp => Redis(sp) is { } redis
            ? new RedisJudgeSpend(redis.Connection, redis.KeyPrefix)
            : new InMemoryJudgeSpend());
        services.AddSingleton<IRuleMemoryStore>(sp => Redis(sp) is { } redis
            ? new RedisRuleMemoryStore(redis.Connection, redis.KeyPrefix)
            : new FileRuleMemoryStore(Settings(sp).DataDir));
        return services;
    }

    /// <summary>The Redis store the companions share a connection with; null with the file store.</summary>
    private static RedisStore? Redis(IServiceProvider services) => services.GetRequiredService<IRollgateStore>() as RedisStore;

    private static RollgateOptions Settings(IServiceProvider services) => services.GetRequiredService<IOptions<RollgateOptions>>().Value;

    private static RedisStoreOptions RedisSettings(IServiceProvider services) => services.GetRequiredService<IOptions<RedisStoreOptions>>().Value;

    private static FigureStoreOptions Figures(IServiceProvider services) => services.GetRequiredService<FigureStoreOptions>();

    private static RequestLedgerOptions Ledger(IServiceProvider services) => services.GetRequiredService<IOptions<RequestLedgerOptions>>().Value;

    private static TimeProvider Time(IServiceProvider services) => services.GetRequiredService<TimeProvider>();
}
