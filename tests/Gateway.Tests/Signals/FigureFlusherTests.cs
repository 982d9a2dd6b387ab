using Rollgate.Signals;
using Rollgate.Tests.Infrastructure;
using static Rollgate.Tests.Signals.SignalTestSupport;

namespace Rollgate.Tests.Signals;

public sealed class FigureFlusherTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Figures_survive_a_store_outage_and_are_written_once_when_it_returns()
    {
        var clock = NewClock();
        var recorder = new SignalRecorder(clock);
        var store = new ScriptedFigureStore();
        var flusher = new FigureFlusher(recorder, store);
        var handle = recorder.For("support-bot", 1);
        store.Failing.Add("*");

        for (var second = 0; second < 30; second++)
        {
            handle.Record(new RequestSignal(second % 2 == 0, 100, 0.001, 10, 1, TaskOutcome.None));
            clock.Advance(TimeSpan.FromSeconds(1));
            await flusher.FlushAsync(None); // never throws
        }

        Assert.Empty(store.Added);
        Assert.Equal(29, flusher.PendingDeltas);
        Assert.True(flusher.FailedFlushes >= 29);
        Assert.Equal(0, flusher.DroppedDeltas);

        store.Failing.Clear();
        await flusher.DrainAsync(None);
        Assert.Equal(0, flusher.PendingDeltas);
        var total = store.Total("support-bot", 1);
        Assert.Equal(30, total.Requests);
        Assert.Equal(15, total.Errors);
        Assert.Equal(30, store.Added.Select(d => d.UnixSecond).Distinct().Count());

        clock.Advance(TimeSpan.FromSeconds(1));
        await flusher.FlushAsync(None);
        Assert.Equal(30, store.Total("support-bot", 1).Requests); // nothing written twice
    }

    [Fact]
    public async Task One_failing_agent_does_not_hold_back_or_duplicate_another()
    {
        var clock = NewClock();
        var recorder = new SignalRecorder(clock);
        var store = new ScriptedFigureStore();
        var flusher = new FigureFlusher(recorder, store);
        store.Failing.Add("broken-bot");
        for (var second = 0; second < 5; second++)
        {
            recorder.For("broken-bot", 1).Record(new RequestSignal(false, 10, 0, 0, 0, TaskOutcome.None));
            recorder.For("fine-bot", 1).Record(new RequestSignal(false, 10, 0, 0, 0, TaskOutcome.None));
            clock.Advance(TimeSpan.FromSeconds(1));
            await flusher.FlushAsync(None);
        }

        await flusher.DrainAsync(None);
        Assert.Equal(5, store.Total("fine-bot", 1).Requests);
        Assert.Equal(0, store.Total("broken-bot", 1).Requests);
        Assert.Equal(5, flusher.PendingDeltas);

        store.Failing.Clear();
        await flusher.FlushAsync(None);
        Assert.Equal(5, store.Total("broken-bot", 1).Requests);
        Assert.Equal(5, store.Total("fine-bot", 1).Requests);
    }

    [Fact]
    public async Task Deltas_older_than_the_pending_limit_are_dropped_and_counted()
    {
        var clock = NewClock();
        var recorder = new SignalRecorder(clock);
        var store = new ScriptedFigureStore();
        var flusher = new FigureFlusher(recorder, store, new FigureFlusherOptions { MaxPendingAge = TimeSpan.FromSeconds(60), MaxPendingDeltas = 1_000 });
        var handle = recorder.For("support-bot", 1);
        store.Failing.Add("*");
        for (var second = 0; second < 100; second++)
        {
            handle.Record(new RequestSignal(false, 10, 0, 0, 0, TaskOutcome.None));
            clock.Advance(TimeSpan.FromSeconds(1));
            await flusher.FlushAsync(None);
        }

        Assert.InRange(flusher.PendingDeltas, 59, 61);
        Assert.Equal(99, flusher.PendingDeltas + flusher.DroppedDeltas);

        store.Failing.Clear();
        await flusher.DrainAsync(None);
        Assert.Equal(100 - flusher.DroppedDeltas, store.Total("support-bot", 1).Requests);
        Assert.True(store.Added.Min(d => d.UnixSecond) >= clock.GetUtcNow().ToUnixTimeSeconds() - 61);
    }

    [Fact]
    public async Task Pending_deltas_are_bounded_in_number()
    {
        var clock = NewClock();
        var recorder = new SignalRecorder(clock);
        var store = new ScriptedFigureStore();
        var flusher = new FigureFlusher(recorder, store, new FigureFlusherOptions { MaxPendingDeltas = 10 });
        store.Failing.Add("*");
        for (var second = 0; second < 20; second++)
        {
            for (var version = 1; version <= 3; version++)
            {
                recorder.For("support-bot", version).Record(new RequestSignal(false, 10, 0, 0, 0, TaskOutcome.None));
            }

            clock.Advance(TimeSpan.FromSeconds(1));
            await flusher.FlushAsync(None);
        }

        Assert.Equal(10, flusher.PendingDeltas);
        Assert.Equal(19 * 3 - 10, flusher.DroppedDeltas);
    }

    [Fact]
    public async Task The_service_flushes_every_second_of_its_clock_and_drains_at_stop()
    {
        var clock = NewClock();
        var recorder = new SignalRecorder(clock);
        var store = new ScriptedFigureStore();
        var ledger = new InMemoryRequestLedger(clock);
        var service = new FigureFlusherService(new FigureFlusher(recorder, store), ledger, clock);
        await service.StartAsync(None);
        try
        {
            recorder.For("support-bot", 1).Record(new RequestSignal(false, 10, 0, 0, 0, TaskOutcome.None));
            ledger.Remember("support-bot", "req-1", 1);
            await Eventually.TrueAsync(() =>
            {
                clock.Advance(TimeSpan.FromSeconds(1)); // drive the PeriodicTimer
                return store.Total("support-bot", 1).Requests == 1 && ledger.Count == 1;
            }, "the service flushed the figures and the ledger");
            Assert.True(service.Ticks >= 1); // advances made while the service was busy fold into one tick

            recorder.For("support-bot", 1).Record(new RequestSignal(true, 10, 0, 0, 0, TaskOutcome.None));
        }
        finally
        {
            await service.StopAsync(None);
        }

        var total = store.Total("support-bot", 1);
        Assert.Equal((2L, 1L), (total.Requests, total.Errors)); // drained at stop
    }
}
