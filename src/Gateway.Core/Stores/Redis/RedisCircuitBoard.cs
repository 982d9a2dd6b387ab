using System.Text.Json;
using Microsoft.Extensions.Logging;
using Rollgate.Json;
using Rollgate.Tools;
using StackExchange.Redis;

namespace Rollgate.Stores.Redis;

/// <summary>
/// The fleet's circuit board in Redis: one hash field per replica holding all of its reports, replaced on every
/// publish, and a channel that tells the controller when a replica's circuits changed state. Fields of replicas silent
/// for a minute are removed by readers, so a board never grows with replicas that are gone.
/// </summary>
internal sealed class RedisCircuitBoard(IConnectionMultiplexer connection, string keyPrefix, TimeProvider time, ILogger logger) : ICircuitBoard
{
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(1);

    private readonly RedisKeys _keys = new(keyPrefix);
    private readonly IDatabase _db = connection.GetDatabase();

    public Task PublishAsync(string replica, IReadOnlyList<CircuitReport> reports, bool changed, CancellationToken cancellationToken)
        => RedisFailures.Guard("publish circuits", async () =>
        {
            if (reports.Count == 0)
            {
                await _db.HashDeleteAsync(_keys.Circuits, replica);
            }
            else
            {
                await _db.HashSetAsync(_keys.Circuits, replica, JsonSerializer.SerializeToUtf8Bytes(reports, RollgateJson.Options));
            }
            if (changed)
            {
                await _db.PublishAsync(_keys.CircuitChanges, replica);
            }

            return true;
        });

    public Task<IReadOnlyList<CircuitReport>> ReadAsync(CancellationToken cancellationToken) => RedisFailures.Guard<IReadOnlyList<CircuitReport>>("read circuits", async () =>
    {
        var now = time.GetUtcNow();
        var live = new List<CircuitReport>();
        var gone = new List<RedisValue>();
        foreach (var entry in await _db.HashGetAllAsync(_keys.Circuits))
        {
            var reports = JsonSerializer.Deserialize<CircuitReport[]>((byte[])entry.Value!, RollgateJson.Options) ?? [];
            live.AddRange(reports.Where(r => CircuitBoards.IsLive(r, now)));
            if (reports.Length > 0 && reports.All(r => now - r.ReportedAt > Retention))
            {
                gone.Add(entry.Name);
            }
        }

        if (gone.Count > 0)
        {
            await _db.HashDeleteAsync(_keys.Circuits, gone.ToArray(), CommandFlags.FireAndForget);
        }

        return live;
    });

    public IDisposable Watch(Action onChange) => RedisNotifications.Subscribe(connection, _keys.CircuitChanges, onChange, logger);
}
