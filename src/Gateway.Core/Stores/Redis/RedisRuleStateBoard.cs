using System.Text.Json;
using Rollgate.Json;
using Rollgate.Rules.Evaluation;
using StackExchange.Redis;

namespace Rollgate.Stores.Redis;

/// <summary>
/// Rule states in Redis, one short-lived key per agent (<c>rollgate:{agent}:rules</c>): rewritten by the controller
/// every evaluation, expiring on its own when no controller is evaluating any more.
/// </summary>
public sealed class RedisRuleStateBoard(IConnectionMultiplexer connection, string keyPrefix = RedisKeys.DefaultPrefix) : IRuleStateBoard
{
    private static readonly TimeSpan Expiry = TimeSpan.FromSeconds(30);
    private readonly RedisKeys _keys = new(keyPrefix);

    public async Task PublishAsync(string agent, IReadOnlyList<RuleStatus> statuses, CancellationToken cancellationToken)
    {
        await RedisFailures.Guard("publish rule states",
            () => connection.GetDatabase().StringSetAsync(Key(agent), JsonSerializer.SerializeToUtf8Bytes(statuses, RollgateJson.Options), Expiry));
    }

    public async Task<IReadOnlyList<RuleStatus>?> ReadAsync(string agent, CancellationToken cancellationToken)
    {
        var value = await RedisFailures.Guard("read rule states", () => connection.GetDatabase().StringGetAsync(Key(agent)));
        return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<RuleStatus[]>((byte[])value!, RollgateJson.Options);
    }

    private RedisKey Key(string agent) => _keys.RuleStates(agent);
}
