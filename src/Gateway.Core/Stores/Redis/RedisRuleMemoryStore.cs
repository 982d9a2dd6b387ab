using System.Text.Json;
using Rollgate.Json;
using Rollgate.Rules.Evaluation;
using StackExchange.Redis;

namespace Rollgate.Stores.Redis;

/// <summary>
/// Rule memory in Redis, one key per agent (<c>rollgate:{agent}:rulememory</c>), so the replica that takes over the
/// controller lease continues where the previous controller stopped. The evaluator deletes a memory that holds
/// nothing any more, so keys do not outlive their use.
/// </summary>
public sealed class RedisRuleMemoryStore(IConnectionMultiplexer connection, string keyPrefix = RedisKeys.DefaultPrefix) : IRuleMemoryStore
{
    private readonly RedisKeys _keys = new(keyPrefix);

    public async Task<RuleMemory?> ReadAsync(string agent, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var value = await RedisFailures.Guard("read rule memory", () => connection.GetDatabase().StringGetAsync(Key(agent)));
        if (value.IsNullOrEmpty)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<RuleMemory>((byte[])value!, RollgateJson.Options);
        }
        catch (JsonException)
        {
            // Unreadable (written by another build of the gateway?): the windows start over, as on a first evaluation.
            return null;
        }
    }

    public async Task WriteAsync(string agent, RuleMemory? memory, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var db = connection.GetDatabase();
        await RedisFailures.Guard("write rule memory", () => memory is null
            ? db.KeyDeleteAsync(Key(agent))
            : db.StringSetAsync(Key(agent), JsonSerializer.SerializeToUtf8Bytes(memory, RollgateJson.Options)));
    }

    private RedisKey Key(string agent) => _keys.RuleMemory(agent);
}
