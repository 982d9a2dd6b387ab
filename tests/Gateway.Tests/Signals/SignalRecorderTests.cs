using Rollgate.Signals;
using static Rollgate.Tests.Signals.SignalTestSupport;

namespace Rollgate.Tests.Signals;

public sealed class SignalRecorderTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public void For_returns_one_handle_per_agent_version()
    {
        var recorder = new SignalRecorder(NewClock());
        var handle = recorder.For("support-bot", 3);
        Assert.Same(handle, recorder.For("support-bot", 3));
        Assert.NotSame(handle, recorder.For("support-bot", 4));
        Assert.NotSame(handle, recorder.For("billing-bot", 3));
        Assert.Equal(("support-bot", 3), (handle.Agent, handle.Version));
        Assert.Equal(3, recorder.Handles.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => recorder.For("support-bot", 0));
    }

    [Fact]
    public async Task A_handle_takes_its_latency_buckets_only_when_its_version_is_requested()
    {
        // Every version of every agent has a handle; a fleet's many never-requested versions must not each hold them.
        var recorder = new SignalRecorder(NewClock());
        var flusher = new FigureFlusher(recorder, new ScriptedFigureStore());
        const int Versions = 100;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var version = 1; version <= Versions; version++)
        {
            recorder.For("large-fleet-bot", version);
        }

        var perHandle = (GC.GetAllocatedBytesForCurrentThread() - before) / Versions;
        Assert.InRange(perHandle, 1, LatencyHistogram.BucketCount * sizeof(long) / 2);

        // Rotated while idle they stay small; the first request takes the buckets, once.
        await flusher.DrainAsync(None);
        var handle = recorder.For("large-fleet-bot", 7);
        before = GC.GetAllocatedBytesForCurrentThread();
        handle.Record(new RequestSignal(false, 120, 0, 0, 0, TaskOutcome.None));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, LatencyHistogram.BucketCount * sizeof(long), 2 * LatencyHistogram.BucketCount * sizeof(long));
        before = GC.GetAllocatedBytesForCurrentThread();
        handle.Record(new RequestSignal(false, 80, 0, 0, 0, TaskOutcome.None));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public async Task Figures_reach_the_store_on_the_second_flush_stamped_with_their_second()
    {
        var clock = NewClock();
        var recorder = new SignalRecorder(clock);
        var store = new ScriptedFigureStore();
        var flusher = new FigureFlusher(recorder, store);
        var handle = recorder.For("support-bot", 1);
        var t0 = clock.GetUtcNow().ToUnixTimeSeconds();

        handle.Record(new RequestSignal(false, 100, 0.01, 10, 5, TaskOutcome.None));
        handle.Record(new RequestSignal(true, 300, 0, 0, 0, TaskOutcome.Completed));
        clock.Advance(TimeSpan.FromSeconds(1));
        await flusher.FlushAsync(None); // retires the first second; late writers may still finish into it
        Assert.Empty(store.Added);

        handle.Record(new RequestSignal(false, 50, 0, 0, 0, TaskOutcome.None));
        clock.Advance(TimeSpan.FromSeconds(1));
        await flusher.FlushAsync(None);
        var first = Assert.Single(store.Added);
        Assert.Equal(("support-bot", 1, t0), (first.Agent, first.Version, first.UnixSecond));
        Assert.Equal(2, first.Figures.Requests);
        Assert.Equal(1, first.Figures.Errors);
        Assert.Equal(1, first.Figures.Completed);
        Assert.Equal(0.01, first.Figures.CostUsd, 12);

        clock.Advance(TimeSpan.FromSeconds(1));
        await flusher.FlushAsync(None);
        Assert.Equal(2, store.Added.Count);
        Assert.Equal(t0 + 1, store.Added[1].UnixSecond);
        Assert.Equal(1, store.Added[1].Figures.Requests);

        clock.Advance(TimeSpan.FromSeconds(1));
        await flusher.FlushAsync(None);
        Assert.Equal(2, store.Added.Count); // idle seconds write nothing
    }

    [Fact]
    public async Task Outcomes_reported_later_are_counted_without_requests()
    {
        var clock = NewClock();
        var recorder = new SignalRecorder(clock);
        var store = new ScriptedFigureStore();
        var flusher = new FigureFlusher(recorder, store);
        var handle = recorder.For("support-bot", 2);
        handle.RecordOutcome(TaskOutcome.Completed);
        handle.RecordOutcome(TaskOutcome.Failed);
        handle.RecordOutcome(TaskOutcome.Failed);
        handle.RecordOutcome(TaskOutcome.None);
        await flusher.DrainAsync(None);

        var total = store.Total("support-bot", 2);
        Assert.Equal((0L, 1L, 2L), (total.Requests, total.Completed, total.Failed));
        Assert.Equal(1.0 / 3, total.TaskCompletionRate!.Value, 12);
    }

    [Fact]
    public async Task Judge_scores_arriving_after_their_requests_are_flushed_on_their_own()
    {
        var clock = NewClock();
        var recorder = new SignalRecorder(clock);
        var store = new ScriptedFigureStore();
        var flusher = new FigureFlusher(recorder, store);
        var handle = recorder.For("support-bot", 4);
        handle.RecordQuality(0.25);
        handle.RecordQuality(0.75);
        handle.RecordQuality(1.0);
        await flusher.DrainAsync(None);

        var total = store.Total("support-bot", 4);
        Assert.Equal((0L, 3L), (total.Requests, total.QualityCount));
        Assert.Equal(2.0 / 3, total.QualityScore!.Value, 12);
        Assert.Equal(0.0625 + 0.5625 + 1, total.QualitySquares, 12);
    }

    [Fact]
    public async Task Concurrent_records_across_rotations_are_all_flushed_exactly_once()
    {
        const int threads = 8;
        const int perThread = 40_000;
        var clock = NewClock();
        var recorder = new SignalRecorder(clock);
        var store = new ScriptedFigureStore();
        var flusher = new FigureFlusher(recorder, store);
        var handles = new[] { recorder.For("support-bot", 1), recorder.For("support-bot", 2) };
        var expected = new[] { new FigureSummary(), new FigureSummary() };
        var perThreadExpected = new FigureSummary[threads][];

        using var stop = new CancellationTokenSource();
        var rotations = 0;
        // A dedicated thread rotates continuously while the workers record (the store is synchronous).
        var rotating = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                clock.Advance(TimeSpan.FromSeconds(1));
                flusher.FlushAsync(None).GetAwaiter().GetResult();
                Interlocked.Increment(ref rotations);
            }
        }, TaskCreationOptions.LongRunning);

        var workers = Enumerable.Range(0, threads).Select(t => Task.Factory.StartNew(() =>
        {
            var mine = new[] { new FigureSummary(), new FigureSummary() };
            var random = new Random(t);
            for (var i = 0; i < perThread; i++)
            {
                if (i % 5_000 == 0)
                {
                    // Make sure rotations really happen in between, however the threads are scheduled.
                    var seen = Volatile.Read(ref rotations);
                    SpinWait.SpinUntil(() => Volatile.Read(ref rotations) > seen);
                }

                var signal = new RequestSignal(
                    random.Next(10) == 0,
                    Math.Exp(random.NextDouble() * 9),
                    random.Next(4) * 0.0025,
                    random.Next(500),
                    random.Next(200),
                    (TaskOutcome)random.Next(3));
                var v = i & 1;
                handles[v].Record(in signal);
                mine[v].Record(in signal);
                if (i % 97 == 0)
                {
                    handles[v].RecordOutcome(TaskOutcome.Failed);
                    mine[v].RecordOutcome(TaskOutcome.Failed);
                }
            }

            perThreadExpected[t] = mine;
        }, TaskCreationOptions.LongRunning)).ToArray();

        await Task.WhenAll(workers);
        await stop.CancelAsync();
        await rotating;
        clock.Advance(TimeSpan.FromSeconds(1));
        await flusher.DrainAsync(None);

        foreach (var mine in perThreadExpected)
        {
            expected[0].Add(mine[0]);
            expected[1].Add(mine[1]);
        }

        Assert.True(rotations >= perThread / 5_000, $"only {rotations} rotations");
        for (var v = 0; v < 2; v++)
        {
            var total = store.Total("support-bot", v + 1);
            Assert.Equal(threads * perThread / 2, total.Requests);
            Assert.Equal(expected[v].Requests, total.Requests);
            Assert.Equal(expected[v].Errors, total.Errors);
            Assert.Equal(expected[v].InputTokens, total.InputTokens);
            Assert.Equal(expected[v].OutputTokens, total.OutputTokens);
            Assert.Equal(expected[v].TokensSquares, total.TokensSquares);
            Assert.Equal(expected[v].Completed, total.Completed);
            Assert.Equal(expected[v].Failed, total.Failed);
            Assert.Equal(expected[v].Latency.Counts.ToArray(), total.Latency.Counts.ToArray());
            Assert.Equal(expected[v].CostUsd, total.CostUsd, 1e-6);
            Assert.Equal(expected[v].CostUsdSquares, total.CostUsdSquares, 1e-8);
        }

        // One delta per (version, second) at most.
        Assert.Equal(store.Added.Count, store.Added.Select(d => (d.Version, d.UnixSecond)).Distinct().Count());
    }

    [Fact]
    public void Recording_does_not_allocate()
    {
        var recorder = new SignalRecorder(NewClock());
        var handle = recorder.For("support-bot", 1);
        var signal = new RequestSignal(true, 123.4, 0.002, 1_000, 200, TaskOutcome.Completed);
        handle.Record(in signal); // warm up (JIT)
        handle.RecordOutcome(TaskOutcome.Failed);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            handle.Record(in signal);
            handle.RecordOutcome(TaskOutcome.Failed);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
