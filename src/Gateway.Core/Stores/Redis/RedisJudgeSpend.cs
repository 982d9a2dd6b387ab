using System.Globalization;
using Rollgate.Quality;
using StackExchange.Redis;

namespace Rollgate.Stores.Redis;

/// <summary>
/// The fleet's judge spend in Redis: one float counter per agent and UTC day (<c>INCRBYFLOAT</c>, atomic across
/// replicas), expiring <see cref="JudgeSpends.Retention"/> after it was last added to.
/// </summary>
internal sealed class RedisJudgeSpend(IConnectionMultiplexer connection, string keyPrefix) : IJudgeSpend
{
    private readonly RedisKeys _keys = new(keyPrefix);
    private readonly IDatabase _db = connection.GetDatabase();

    public Task AddAsync(string agent, DateOnly day, double costUsd, CancellationToken cancellationToken)
        => RedisFailures.Guard("add judge spend", async () =>
        {
            var key = _keys.JudgeSpend(agent, day);
            var transaction = _db.CreateTransaction();
            _ = transaction.StringIncrementAsync(key, costUsd);
            _ = transaction.KeyExpireAsync(key, JudgeSpends.Retention);
            return await transaction.ExecuteAsync();
        }, maybeApplied: true);

    public Task<double> GetAsync(string agent, DateOnly day, CancellationToken cancellationToken)
        => RedisFailures.Guard("read judge spend", async () =>
        {
            var value = await _db.StringGetAsync(_keys.JudgeSpend(agent, day));
            return value.IsNull ? 0 : double.Parse((string)value!, NumberStyles.Float, CultureInfo.InvariantCulture);
        });
}
