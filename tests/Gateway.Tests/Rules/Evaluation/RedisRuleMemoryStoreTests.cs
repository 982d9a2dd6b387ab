using Rollgate.Rules.Evaluation;
using Rollgate.Signals;
using Rollgate.Tests.Infrastructure;
using StackExchange.Redis;
using Rollgate.Stores.Redis;

namespace Rollgate.Tests.Rules.Evaluation;

/// <summary>The rule memory contract against a real Redis: another instance is another replica with its own connection.</summary>
public sealed class RedisRuleMemoryStoreTests(RedisServer redis) : RuleMemoryStoreContractTests, IClassFixture<RedisServer>
{
    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..12];
    private readonly List<IConnectionMultiplexer> _connections = [];

    protected override async Task<IRuleMemoryStore> CreateStoreAsync()
    {
        var connection = await RedisConnection.ConnectAsync(redis.ConnectionString);
        _connections.Add(connection);
        return new RedisRuleMemoryStore(connection, _prefix);
    }

    protected override Task<IRuleMemoryStore> OpenAnotherAsync() => CreateStoreAsync();

    protected override Task WriteGarbageAsync(string agent)
        => _connections[0].GetDatabase().StringSetAsync($"{_prefix}:{{{agent}}}:rulememory", "{\"subject\":");

    public override async Task DisposeAsync()
    {
        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }
    }
}
