using Microsoft.Extensions.Time.Testing;
using Rollgate.Signals;
using static Rollgate.Tests.Signals.SignalTestSupport;

namespace Rollgate.Tests.Signals;

public sealed class InMemoryRequestLedgerTests : RequestLedgerContractTests
{
    protected override Task<IRequestLedger> CreateLedgerAsync(FakeTimeProvider clock, RequestLedgerOptions options)
        => Task.FromResult<IRequestLedger>(new InMemoryRequestLedger(clock, options));

    [Fact]
    public async Task Beyond_its_capacity_the_oldest_ids_are_evicted_first()
    {
        var ledger = new InMemoryRequestLedger(Clock, new RequestLedgerOptions { Capacity = 3 });
        var agent = NewAgent();
        foreach (var id in new[] { "a", "b", "c", "d", "e" })
        {
            ledger.Remember(agent, id, 1);
        }

        await ledger.FlushAsync(None);
        Assert.Equal(3, ledger.Count);
        Assert.Null(await ledger.FindAsync(agent, "a", None));
        Assert.Null(await ledger.FindAsync(agent, "b", None));
        Assert.Equal(1, await ledger.FindAsync(agent, "c", None));
        Assert.Equal(1, await ledger.FindAsync(agent, "e", None));

        // Remembering "c" again makes it the newest: evicting its older copy must not lose it.
        ledger.Remember(agent, "c", 2);
        ledger.Remember(agent, "f", 1);
        await ledger.FlushAsync(None);
        Assert.Equal(2, await ledger.FindAsync(agent, "c", None));
        Assert.Null(await ledger.FindAsync(agent, "d", None));
        Assert.True(ledger.Count <= 3);
    }

    [Fact]
    public async Task Concurrent_remembers_from_many_threads_are_all_kept()
    {
        var ledger = new InMemoryRequestLedger(Clock, new RequestLedgerOptions { BufferCapacity = 1_000_000 });
        var agent = NewAgent();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                ledger.Remember(agent, $"{t}-{i}", t + 1);
            }
        })));

        await ledger.FlushAsync(None);
        Assert.Equal(160_000, ledger.Count);
        Assert.Equal(8, await ledger.FindAsync(agent, "7-19999", None));
    }

    [Fact]
    public async Task Remember_does_not_allocate_once_the_buffer_has_grown()
    {
        var ledger = new InMemoryRequestLedger(Clock);
        var agent = NewAgent();
        var ids = Enumerable.Range(0, 2_000).Select(i => $"req-{i}").ToArray();
        foreach (var id in ids)
        {
            ledger.Remember(agent, id, 1); // grows the buffer once
        }

        await ledger.FlushAsync(None);
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var id in ids)
        {
            ledger.Remember(agent, id, 2);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(2, await ledger.FindAsync(agent, ids[^1], None));
    }

    [Fact]
    public async Task A_full_ledger_takes_sixteen_bytes_an_id()
    {
        // At the default capacity a full ledger is most of a busy gateway's heap.
        const int Capacity = 80_000;
        var ledger = new InMemoryRequestLedger(Clock, new RequestLedgerOptions { Capacity = Capacity, BufferCapacity = Capacity });
        var agent = NewAgent();
        for (var i = 0; i < Capacity; i++)
        {
            ledger.Remember(agent, $"req-{i}", 1 + i % 3);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        await ledger.FlushAsync(None); // the segments' tables are allocated as they are first filled
        var perId = (double)(GC.GetAllocatedBytesForCurrentThread() - before) / Capacity;

        Assert.InRange(perId, 16, 16.1);
        Assert.Equal(Capacity, ledger.Count);
        Assert.Equal(2, await ledger.FindAsync(agent, "req-79999", None));
    }

    [Fact]
    public async Task Once_the_segments_have_gone_round_flushing_allocates_nothing()
    {
        var ledger = new InMemoryRequestLedger(Clock, new RequestLedgerOptions { Capacity = 8_000, BufferCapacity = 10_000 });
        var agent = NewAgent();
        var ids = Enumerable.Range(0, 5_000).Select(i => $"req-{i}").ToArray();
        for (var round = 0; round < 4; round++) // 20,000 ids through 8 segments of 1,000: every segment filled and reused
        {
            foreach (var id in ids)
            {
                ledger.Remember(agent, id + "-" + round, 1);
            }

            await ledger.FlushAsync(None);
        }

        foreach (var id in ids)
        {
            ledger.Remember(agent, id, 2);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        await ledger.FlushAsync(None);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.InRange(ledger.Count, 7_000, 8_000);
        Assert.Equal(2, await ledger.FindAsync(agent, ids[^1], None));
    }

    [Fact]
    public async Task Segments_rotating_on_time_never_forget_an_id_before_its_retention()
    {
        var ledger = new InMemoryRequestLedger(Clock);
        var agent = NewAgent();
        var remembered = new List<(string Id, DateTimeOffset At)>();
        for (var i = 0; i < 100; i++) // 50 hours, an id every 30 minutes
        {
            ledger.Remember(agent, $"r{i}", i);
            remembered.Add(($"r{i}", Clock.GetUtcNow()));
            await ledger.FlushAsync(None);
            foreach (var (id, at) in remembered.Where(r => Clock.GetUtcNow() - r.At <= TimeSpan.FromHours(24)))
            {
                Assert.NotNull(await ledger.FindAsync(agent, id, None));
            }

            Clock.Advance(TimeSpan.FromMinutes(30));
        }

        Assert.Null(await ledger.FindAsync(agent, "r0", None)); // 50 h old
        Clock.Advance(TimeSpan.FromHours(30));
        foreach (var (id, _) in remembered)
        {
            Assert.Null(await ledger.FindAsync(agent, id, None));
        }
    }
}
