namespace Rollgate.Tools;

/// <summary>
/// Calls and failures of one tool over the breaker's sampling duration, in ten rolling buckets: the evidence a
/// degradation shows (Polly's breaker keeps its own counts to itself). Lock-free; a bucket that rolls over while a call
/// is being counted may lose that call, which an evidence figure can afford.
/// </summary>
internal sealed class CallWindow
{
    private const int BucketCount = 10;

    private readonly TimeProvider _time;
    private readonly long _bucketTicks;
    private readonly Bucket[] _buckets = new Bucket[BucketCount];

    public CallWindow(TimeProvider time, TimeSpan samplingDuration)
    {
        _time = time;
        _bucketTicks = Math.Max(1, (long)(samplingDuration.TotalSeconds * time.TimestampFrequency / BucketCount));
        for (var i = 0; i < BucketCount; i++)
        {
            _buckets[i] = new Bucket { Index = -1 };
        }
    }

    public void Record(bool failed)
    {
        var index = _time.GetTimestamp() / _bucketTicks;
        var bucket = _buckets[index % BucketCount];
        var seen = Volatile.Read(ref bucket.Index);
        if (seen != index && Interlocked.CompareExchange(ref bucket.Index, index, seen) == seen)
        {
            Interlocked.Exchange(ref bucket.Calls, 0);
            Interlocked.Exchange(ref bucket.Failures, 0);
        }

        Interlocked.Increment(ref bucket.Calls);
        if (failed)
        {
            Interlocked.Increment(ref bucket.Failures);
        }
    }

    /// <summary>Calls and failures in the buckets of the last sampling duration.</summary>
    public (long Calls, long Failures) Read()
    {
        var current = _time.GetTimestamp() / _bucketTicks;
        long calls = 0, failures = 0;
        foreach (var bucket in _buckets)
        {
            if (current - Volatile.Read(ref bucket.Index) < BucketCount)
            {
                calls += Volatile.Read(ref bucket.Calls);
                failures += Volatile.Read(ref bucket.Failures);
            }
        }

        return (calls, failures);
    }

    private sealed class Bucket
    {
        public long Index;
        public long Calls;
        public long Failures;
    }
}
