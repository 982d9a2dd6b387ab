using System.Text.Json;
using Rollgate.Json;
using Rollgate.Stores;
using StackExchange.Redis;

namespace Rollgate.Rules.Evaluation;

/// <summary>
/// Rule states in Redis, one short-lived key per agent (<c>rollgate:{agent}:rules</c>): rewritten by the controller
/// every evaluation, expiring on its own when no controller is evaluating any more.
/// </summary>
public sealed class RedisRuleStateBoard(IConnectionMultiplexer connection, string keyPrefix = "rollgate") : IRuleStateBoard
{
    private static readonly TimeSpan Expiry = TimeSpan.FromSeconds(30);

    public async Task PublishAsync(string agent, IReadOnlyList<RuleStatus> statuses, CancellationToken cancellationToken)
    {
        try
        {
            await connection.GetDatabase().StringSetAsync(Key(agent), JsonSerializer.SerializeToUtf8Bytes(statuses, RollgateJson.Options), Expiry);
        }
        catch (RedisException ex)
        {
            throw new StoreUnavailableException("Redis is unreachable: rule states not published.", ex);
        }
    }

    public async Task<IReadOnlyList<RuleStatus>?> ReadAsync(string agent, CancellationToken cancellationToken)
    {
        try
        {
            var value = await connection.GetDatabase().StringGetAsync(Key(agent));
            return value.IsNullOrEmpty ? null : JsonSerializer.Deserialize<RuleStatus[]>((byte[])value!, RollgateJson.Options);
        }
        catch (RedisException ex)
        {
            throw new StoreUnavailableException("Redis is unreachable: rule states unavailable.", ex);
        }
    }

    private RedisKey Key(string agent) => $"{keyPrefix}:{{{agent}}}:rules";
}
