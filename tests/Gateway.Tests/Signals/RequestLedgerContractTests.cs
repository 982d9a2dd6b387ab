using Microsoft.Extensions.Time.Testing;
using Rollgate.Signals;
using static Rollgate.Tests.Signals.SignalTestSupport;

namespace Rollgate.Tests.Signals;

/// <summary>What every <see cref="IRequestLedger"/> must do, run against each implementation.</summary>
public abstract class RequestLedgerContractTests : IAsyncLifetime
{
    protected static readonly CancellationToken None = CancellationToken.None;

    protected FakeTimeProvider Clock { get; } = NewClock();

    protected abstract Task<IRequestLedger> CreateLedgerAsync(FakeTimeProvider clock, RequestLedgerOptions options);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_remembered_id_is_found_with_its_version_at_once()
    {
        var ledger = await CreateLedgerAsync(Clock, new RequestLedgerOptions());
        var agent = NewAgent();
        ledger.Remember(agent, "req-1", 14);
        ledger.Remember(agent, "req-2", 13);

        Assert.Equal(14, await ledger.FindAsync(agent, "req-1", None)); // no explicit flush needed on the same replica
        Assert.Equal(13, await ledger.FindAsync(agent, "req-2", None));
        Assert.Null(await ledger.FindAsync(agent, "req-3", None));
    }

    [Fact]
    public async Task Ids_belong_to_their_agent()
    {
        var ledger = await CreateLedgerAsync(Clock, new RequestLedgerOptions());
        var (a, b) = (NewAgent(), NewAgent());
        ledger.Remember(a, "same-id", 1);
        ledger.Remember(b, "same-id", 2);
        await ledger.FlushAsync(None);

        Assert.Equal(1, await ledger.FindAsync(a, "same-id", None));
        Assert.Equal(2, await ledger.FindAsync(b, "same-id", None));
        Assert.Null(await ledger.FindAsync(NewAgent(), "same-id", None));
    }

    [Fact]
    public async Task Remembering_an_id_again_replaces_its_version()
    {
        var ledger = await CreateLedgerAsync(Clock, new RequestLedgerOptions());
        var agent = NewAgent();
        ledger.Remember(agent, "retried", 14);
        ledger.Remember(agent, "retried", 13); // the retry on the stable version served it
        Assert.Equal(13, await ledger.FindAsync(agent, "retried", None));

        Clock.Advance(TimeSpan.FromMinutes(61)); // a later hour
        ledger.Remember(agent, "retried", 15);
        Assert.Equal(15, await ledger.FindAsync(agent, "retried", None));
    }

    [Fact]
    public async Task Ids_are_kept_for_24_hours_then_forgotten()
    {
        var ledger = await CreateLedgerAsync(Clock, new RequestLedgerOptions());
        var agent = NewAgent();
        ledger.Remember(agent, "old", 3);
        await ledger.FlushAsync(None);

        Clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        ledger.Remember(agent, "new", 4);
        Assert.Equal(3, await ledger.FindAsync(agent, "old", None));

        Clock.Advance(TimeSpan.FromHours(3));
        Assert.Null(await ledger.FindAsync(agent, "old", None));
        Assert.Equal(4, await ledger.FindAsync(agent, "new", None));
    }

    [Fact]
    public async Task A_full_buffer_drops_and_counts_instead_of_blocking()
    {
        var ledger = await CreateLedgerAsync(Clock, new RequestLedgerOptions { BufferCapacity = 10 });
        var agent = NewAgent();
        for (var i = 0; i < 15; i++)
        {
            ledger.Remember(agent, $"r{i}", 1);
        }

        Assert.Equal(5, ledger.Dropped);
        await ledger.FlushAsync(None);
        Assert.Equal(1, await ledger.FindAsync(agent, "r9", None));
        Assert.Null(await ledger.FindAsync(agent, "r10", None));

        ledger.Remember(agent, "after-flush", 2); // room again
        Assert.Equal(2, await ledger.FindAsync(agent, "after-flush", None));
        Assert.Equal(5, ledger.Dropped);
    }

    [Fact]
    public async Task Many_ids_over_several_flushes_are_all_found()
    {
        var ledger = await CreateLedgerAsync(Clock, new RequestLedgerOptions());
        var agent = NewAgent();
        for (var i = 0; i < 3_000; i++)
        {
            ledger.Remember(agent, Guid.NewGuid().ToString() + i, 1 + i % 3);
            ledger.Remember(agent, $"id-{i}", 1 + i % 5);
            if (i % 1_000 == 999)
            {
                await ledger.FlushAsync(None);
                Clock.Advance(TimeSpan.FromMinutes(20));
            }
        }

        for (var i = 0; i < 3_000; i += 37)
        {
            Assert.Equal(1 + i % 5, await ledger.FindAsync(agent, $"id-{i}", None));
        }

        Assert.Equal(0, ledger.Dropped);
    }

    [Fact]
    public async Task Empty_names_are_ignored_on_the_hot_path()
    {
        var ledger = await CreateLedgerAsync(Clock, new RequestLedgerOptions());
        ledger.Remember("", "x", 1);
        ledger.Remember(NewAgent(), "", 1);
        await ledger.FlushAsync(None);
        Assert.Equal(0, ledger.Dropped);
        Assert.Null(await ledger.FindAsync("", "x", None));
    }
}
