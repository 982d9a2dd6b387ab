using Rollgate.Rules.Evaluation;
using Rollgate.Signals;
using Rollgate.Stores;
using Rollgate.Stores.File;
using Rollgate.Stores.Redis;

namespace Rollgate.Hosting;

/// <summary>
/// Registers the store named by <c>Rollgate:Store</c> with its companions: figures, the request ledger, the
/// rule-state board and the rule memory. <c>file</c> keeps them in this process; <c>redis</c> shares them with the fleet over one connection.
/// </summary>
public static class StoreServices
{
    public static IServiceCollection AddRollgateStores(this IServiceCollection services, RollgateOptions options)
    {
        // One set of figure options, so that definitions are checked against the retention the figure store has.
        var figures = new FigureStoreOptions();
        services.AddSingleton(figures);
        switch (options.Store)
        {
            case "file":
                services.AddSingleton<IRollgateStore>(_ => FileStore.Open(options.DataDir));
                services.AddSingleton<IFigureStore>(sp => new InMemoryFigureStore(sp.GetRequiredService<TimeProvider>(), figures));
                services.AddSingleton<IRequestLedger>(sp => new InMemoryRequestLedger(sp.GetRequiredService<TimeProvider>()));
                services.AddSingleton<IRuleStateBoard, InMemoryRuleStateBoard>();
                services.AddSingleton<IRuleMemoryStore>(new FileRuleMemoryStore(options.DataDir));
                break;
            case "redis":
                // Connecting does not wait for Redis: the gateway starts and routes on what it loads once Redis answers.
                services.AddSingleton<IRollgateStore>(sp => RedisStore.ConnectAsync(options.Redis, sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILogger<RedisStore>>()).GetAwaiter().GetResult());
                services.AddSingleton(sp => (RedisStore)sp.GetRequiredService<IRollgateStore>());
                services.AddSingleton<IFigureStore>(sp => new RedisFigureStore(Redis(sp).Connection, figures, Redis(sp).KeyPrefix));
                services.AddSingleton<IRequestLedger>(sp => new RedisRequestLedger(Redis(sp).Connection, sp.GetRequiredService<TimeProvider>(), null,
                    Redis(sp).KeyPrefix, sp.GetRequiredService<ILogger<RedisRequestLedger>>()));
                services.AddSingleton<IRuleStateBoard>(sp => new RedisRuleStateBoard(Redis(sp).Connection, Redis(sp).KeyPrefix));
                services.AddSingleton<IRuleMemoryStore>(sp => new RedisRuleMemoryStore(Redis(sp).Connection, Redis(sp).KeyPrefix));
                break;
            default:
                throw StartupException.InvalidSetting($"Rollgate:Store '{options.Store}' must be 'file' or 'redis'");
        }

        return services;
    }

    private static RedisStore Redis(IServiceProvider services) => services.GetRequiredService<RedisStore>();
}
