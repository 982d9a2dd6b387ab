using Rollgate.Stores;
using Rollgate.Stores.Redis;
using Rollgate.Tests.Infrastructure;

namespace Rollgate.Tests.Stores;

/// <summary>
/// The store contract against a real Redis. The server is shared by the class; each test gets its own key prefix,
/// so agents, the agent set and the replica set of one test are invisible to the others.
/// </summary>
public sealed class RedisStoreContractTests(RedisServer redis) : StoreContractTests, IClassFixture<RedisServer>
{
    private readonly RedisStoreOptions _options = new() { KeyPrefix = "test-" + Guid.NewGuid().ToString("N") };

    protected override async Task<IRollgateStore> CreateStoreAsync()
        => await RedisStore.ConnectAsync(redis.ConnectionString, TimeProvider.System, _options);

    protected override async Task<IRollgateStore> ReopenStoreAsync()
    {
        await Store.DisposeAsync();
        return await CreateStoreAsync(); // a new connection: nothing cached survives, everything is read from Redis
    }
}
