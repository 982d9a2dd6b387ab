namespace Rollgate.Signals;

/// <summary>
/// Lock-free counters of one version for one interval. Writers only ever add (Interlocked); the single drainer takes
/// each field with an atomic exchange, so a concurrent add lands either in what was drained or in what stays for the
/// next drain: nothing is lost, a late write is at worst attributed to the next interval.
/// </summary>
/// <remarks>
/// The latency buckets (most of its size) are allocated by the first request: every version has accumulators, and
/// most versions of a large fleet are never requested.
/// </remarks>
internal sealed class SignalAccumulator
{
    private long[]? _latency;
    private long _requests;
    private long _errors;
    private long _inputTokens;
    private long _outputTokens;
    private long _tokensSquares;
    private long _completed;
    private long _failed;
    private long _toolCalls;
    private long _toolFailures;
    private long _fallbacks;
    private double _cost;
    private double _costSquares;
    private long _qualityCount;
    private double _qualitySum;
    private double _qualitySquares;

    public void Record(in RequestSignal signal)
    {
        var latency = Volatile.Read(ref _latency) ?? AllocateLatency();
        Interlocked.Increment(ref latency[LatencyHistogram.BucketOf(signal.LatencyMs)]);
        if (signal.Error)
        {
            Interlocked.Increment(ref _errors);
        }

        if (signal.Fallback)
        {
            Interlocked.Increment(ref _fallbacks);
        }

        var cost = SignalValues.Cost(signal.CostUsd);
        if (cost > 0)
        {
            AddDouble(ref _cost, cost);
            AddDouble(ref _costSquares, cost * cost);
        }

        var input = SignalValues.Tokens(signal.InputTokens);
        var output = SignalValues.Tokens(signal.OutputTokens);
        if (input > 0)
        {
            Interlocked.Add(ref _inputTokens, input);
        }

        if (output > 0)
        {
            Interlocked.Add(ref _outputTokens, output);
        }

        if (input + output > 0)
        {
            Interlocked.Add(ref _tokensSquares, (input + output) * (input + output));
        }

        RecordOutcome(signal.Outcome);
        // Last: a drain that sees no requests leaves the other fields for the next drain.
        Interlocked.Increment(ref _requests);
    }

    public void RecordOutcome(TaskOutcome outcome)
    {
        if (outcome == TaskOutcome.Completed)
        {
            Interlocked.Increment(ref _completed);
        }
        else if (outcome == TaskOutcome.Failed)
        {
            Interlocked.Increment(ref _failed);
        }
    }

    /// <summary>The call is counted before its failure, and drained after it, so a drain never has more failures than calls.</summary>
    public void RecordToolCall(bool failed)
    {
        Interlocked.Increment(ref _toolCalls);
        if (failed)
        {
            Interlocked.Increment(ref _toolFailures);
        }
    }

    /// <summary>The sums are added before the count and drained after it, so a drained count never lacks its scores.</summary>
    public void RecordQuality(double score)
    {
        AddDouble(ref _qualitySum, score);
        AddDouble(ref _qualitySquares, score * score);
        Interlocked.Increment(ref _qualityCount);
    }

    /// <summary>Takes everything recorded so far (leaving zeros); null when nothing was.</summary>
    public FigureSummary? Drain()
    {
        var requests = Take(ref _requests);
        var completed = Take(ref _completed);
        var failed = Take(ref _failed);
        var toolFailures = Take(ref _toolFailures);
        var toolCalls = Take(ref _toolCalls);
        var qualityCount = Take(ref _qualityCount);

        if (requests == 0 && completed == 0 && failed == 0 && toolCalls == 0 && qualityCount == 0)
        {
            return null;
        }

        var summary = new FigureSummary
        {
            Requests = requests,
            Completed = completed,
            Failed = failed,
            ToolCalls = toolCalls,
            ToolFailures = toolFailures,
        };
        if (qualityCount > 0)
        {
            summary.QualityCount = qualityCount;
            summary.QualitySum = TakeDouble(ref _qualitySum);
            summary.QualitySquares = TakeDouble(ref _qualitySquares);
        }

        if (requests == 0)
        {
            return summary; // outcomes only; other fields of a request in flight stay for its own drain
        }

        summary.Errors = Take(ref _errors);
        summary.Fallbacks = Take(ref _fallbacks);
        summary.InputTokens = Take(ref _inputTokens);
        summary.OutputTokens = Take(ref _outputTokens);
        summary.TokensSquares = Take(ref _tokensSquares);
        summary.CostUsd = TakeDouble(ref _cost);
        summary.CostUsdSquares = TakeDouble(ref _costSquares);
        // Written before the request count, so a drained request's latency is in the buckets.
        if (Volatile.Read(ref _latency) is { } latency)
        {
            for (var i = 0; i < latency.Length; i++)
            {
                var count = Take(ref latency[i]);
                if (count != 0)
                {
                    summary.Latency.Add(i, count);
                }
            }
        }

        return summary;
    }

    /// <summary>Once per accumulator: the first writer's array wins, a concurrent one is dropped unused.</summary>
    private long[] AllocateLatency()
        => Interlocked.CompareExchange(ref _latency, new long[LatencyHistogram.BucketCount], null) ?? _latency!;

    private static long Take(ref long field) => Volatile.Read(ref field) == 0 ? 0 : Interlocked.Exchange(ref field, 0);

    private static double TakeDouble(ref double field) => Volatile.Read(ref field) == 0 ? 0 : Interlocked.Exchange(ref field, 0);

    private static void AddDouble(ref double field, double value)
    {
        var current = Volatile.Read(ref field);
        while (true)
        {
            var seen = Interlocked.CompareExchange(ref field, current + value, current);
            if (seen.Equals(current))
            {
                return;
            }

            current = seen;
        }
    }
}
