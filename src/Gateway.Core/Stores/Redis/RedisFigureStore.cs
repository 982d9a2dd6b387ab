using System.Globalization;
using Rollgate.Signals;
using StackExchange.Redis;

namespace Rollgate.Stores.Redis;

/// <summary>
/// The figure store of a replica fleet: every replica adds its per-second deltas, so reads see the whole fleet.
/// </summary>
/// <remarks>
/// Keys (named by <see cref="RedisKeys"/>; the <c>{agent}</c> hash tag keeps an agent's keys in one slot):
/// <list type="bullet">
/// <item><c>{prefix}:{agent}:fig:&lt;unixSecond&gt;</c> hash, TTL <see cref="FigureStoreOptions.SecondRetention"/> (65 min);</item>
/// <item><c>{prefix}:{agent}:figm:&lt;unixMinute&gt;</c> hash, the same fields summed per minute, TTL
/// <see cref="FigureStoreOptions.MinuteRetention"/> (2 h).</item>
/// </list>
/// Fields per version <c>v</c>: <c>v:n</c> requests, <c>v:e</c> errors, <c>v:c</c>/<c>v:c2</c> cost sum and sum of
/// squares (float), <c>v:ti</c>/<c>v:to</c> input/output tokens, <c>v:t2</c> sum of squared tokens (float), <c>v:ok</c>/<c>v:f</c>
/// completed/failed outcomes, <c>v:fb</c> requests a fallback model answered, <c>v:q</c>/<c>v:qs</c>/<c>v:q2</c> judge scores: their
/// count, sum and sum of squares (floats), <c>v:l&lt;bucket&gt;</c> latency bucket counts (only non-zero fields are written).
/// Both keys are written with HINCRBY/HINCRBYFLOAT and re-EXPIREd in one MULTI/EXEC per agent and flush, so a failed
/// flush wrote nothing and can be retried. Memory: per agent at most 3,900 second keys and 120 minute keys, only for
/// seconds with traffic; each holds ≤ 310 fields per version (≈ 1–2 KB per busy version and second as a listpack),
/// i.e. roughly 5–10 MB per agent with two busy versions, whatever the traffic.
/// A window is read as its whole minutes from the rollups plus at most 118 edge seconds: a 1 h window is ≈ 180 HGETALLs
/// in one pipelined round trip.
/// </remarks>
public sealed class RedisFigureStore : IFigureStore
{
    private readonly IDatabase _db;
    private readonly FigureStoreOptions _options;
    private readonly RedisKeys _keys;

    /// <param name="keyPrefix">The fleet's <see cref="RedisStoreOptions.KeyPrefix"/>.</param>
    public RedisFigureStore(IConnectionMultiplexer connection, FigureStoreOptions? options = null, string keyPrefix = RedisKeys.DefaultPrefix)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _db = connection.GetDatabase();
        _options = options ?? new FigureStoreOptions();
        new FigureStoreOptionsValidator().ThrowIfInvalid(_options);
        _keys = new RedisKeys(keyPrefix);
    }

    public async Task AddAsync(IReadOnlyList<FigureDelta> deltas, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deltas);
        cancellationToken.ThrowIfCancellationRequested();
        var writes = deltas.Where(d => !d.Figures.IsEmpty).GroupBy(d => d.Agent, StringComparer.Ordinal).Select(WriteAgentAsync).ToList();
        await RedisFailures.Guard("add figures", async () =>
        {
            await Task.WhenAll(writes);
            return true;
        });
    }

    public async Task<IReadOnlyDictionary<int, FigureSummary>> ReadAsync(string agent, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(agent);
        cancellationToken.ThrowIfCancellationRequested();
        var result = new Dictionary<int, FigureSummary>();
        var window = FigureWindow.Of(from, to);
        if (window.IsEmpty)
        {
            return result;
        }

        var keys = new List<RedisKey>();
        var (start, end) = window.Minutes;
        for (var minute = start; minute < end; minute++)
        {
            keys.Add(_keys.FigureMinute(agent, minute));
        }

        keys.AddRange(window.EdgeSeconds().Select(second => _keys.FigureSecond(agent, second)));
        return await RedisFailures.Guard("read figures", async () =>
        {
            var batch = _db.CreateBatch();
            var reads = keys.Select(key => batch.HashGetAllAsync(key)).ToList();
            batch.Execute();
            await Task.WhenAll(reads);
            foreach (var read in reads)
            {
                AddFields(read.Result, result);
            }

            return (IReadOnlyDictionary<int, FigureSummary>)result;
        });
    }

    private async Task WriteAgentAsync(IGrouping<string, FigureDelta> deltas)
    {
        var transaction = _db.CreateTransaction();
        var queued = new List<Task>();
        var seconds = new HashSet<long>();
        var minutes = new HashSet<long>();
        foreach (var delta in deltas)
        {
            var minute = FigureWindow.MinuteOf(delta.UnixSecond);
            Increment(transaction, queued, _keys.FigureSecond(delta.Agent, delta.UnixSecond), delta.Version, delta.Figures);
            Increment(transaction, queued, _keys.FigureMinute(delta.Agent, minute), delta.Version, delta.Figures);
            seconds.Add(delta.UnixSecond);
            minutes.Add(minute);
        }

        foreach (var second in seconds)
        {
            queued.Add(transaction.KeyExpireAsync(_keys.FigureSecond(deltas.Key, second), _options.SecondRetention));
        }

        foreach (var minute in minutes)
        {
            queued.Add(transaction.KeyExpireAsync(_keys.FigureMinute(deltas.Key, minute), _options.MinuteRetention));
        }

        bool committed;
        try
        {
            committed = await transaction.ExecuteAsync();
        }
        finally
        {
            // Queued commands complete (or are cancelled) with the transaction; observe them either way.
            _ = Task.WhenAll(queued).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }

        if (!committed)
        {
            throw new RedisException("The figure transaction was not committed.");
        }
    }

    private static void Increment(ITransaction transaction, List<Task> queued, RedisKey key, int version, FigureSummary figures)
    {
        var v = version.ToString(CultureInfo.InvariantCulture);
        void Count(string field, long value)
        {
            if (value != 0)
            {
                queued.Add(transaction.HashIncrementAsync(key, v + ":" + field, value));
            }
        }

        void Sum(string field, double value)
        {
            if (value != 0)
            {
                queued.Add(transaction.HashIncrementAsync(key, v + ":" + field, value));
            }
        }

        Count("n", figures.Requests);
        Count("e", figures.Errors);
        Sum("c", figures.CostUsd);
        Sum("c2", figures.CostUsdSquares);
        Count("ti", figures.InputTokens);
        Count("to", figures.OutputTokens);
        Sum("t2", figures.TokensSquares);
        Count("ok", figures.Completed);
        Count("f", figures.Failed);
        Count("tc", figures.ToolCalls);
        Count("tf", figures.ToolFailures);
        Count("fb", figures.Fallbacks);
        Count("q", figures.QualityCount);
        Sum("qs", figures.QualitySum);
        Sum("q2", figures.QualitySquares);
        foreach (var (bucket, count) in figures.Latency.NonZero())
        {
            Count("l" + bucket.ToString(CultureInfo.InvariantCulture), count);
        }
    }

    private static void AddFields(HashEntry[] fields, Dictionary<int, FigureSummary> result)
    {
        foreach (var field in fields)
        {
            var name = field.Name.ToString();
            var colon = name.IndexOf(':');
            if (colon <= 0 || !int.TryParse(name.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                continue; // not ours
            }

            if (!result.TryGetValue(version, out var sum))
            {
                sum = new FigureSummary();
                result[version] = sum;
            }

            var kind = name.AsSpan(colon + 1);
            switch (kind)
            {
                case "n": sum.Requests += (long)field.Value; break;
                case "e": sum.Errors += (long)field.Value; break;
                case "c": sum.CostUsd += (double)field.Value; break;
                case "c2": sum.CostUsdSquares += (double)field.Value; break;
                case "ti": sum.InputTokens += (long)field.Value; break;
                case "to": sum.OutputTokens += (long)field.Value; break;
                case "t2": sum.TokensSquares += (double)field.Value; break;
                case "ok": sum.Completed += (long)field.Value; break;
                case "f": sum.Failed += (long)field.Value; break;
                case "tc": sum.ToolCalls += (long)field.Value; break;
                case "tf": sum.ToolFailures += (long)field.Value; break;
                case "fb": sum.Fallbacks += (long)field.Value; break;
                case "q": sum.QualityCount += (long)field.Value; break;
                case "qs": sum.QualitySum += (double)field.Value; break;
                case "q2": sum.QualitySquares += (double)field.Value; break;
                default:
                    if (kind.Length > 1 && kind[0] == 'l'
                        && int.TryParse(kind[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var bucket)
                        && bucket < LatencyHistogram.BucketCount)
                    {
                        sum.Latency.Add(bucket, (long)field.Value);
                    }

                    break;
            }
        }
    }
}
