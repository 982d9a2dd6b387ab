using Rollgate.Stores;
using Rollgate.Stores.File;
using Rollgate.Stores.Redis;

namespace Rollgate.Hosting;

/// <summary>Opens the store named by <c>Rollgate:Store</c>.</summary>
public static class StoreFactory
{
    public static IRollgateStore Create(RollgateOptions options, IServiceProvider services) => options.Store switch
    {
        "file" => FileStore.Open(options.DataDir),
        // Connecting does not wait for Redis: the gateway starts and routes on what it loads once Redis answers.
        "redis" => RedisStore.ConnectAsync(options.Redis, services.GetRequiredService<TimeProvider>(), services.GetRequiredService<ILogger<RedisStore>>())
            .GetAwaiter().GetResult(),
        _ => throw new InvalidOperationException($"Rollgate:Store '{options.Store}' must be 'file' or 'redis'"),
    };
}
