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

        // Remembering "c" again makes it the newest: the older queue slot must not evict it.
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
}
