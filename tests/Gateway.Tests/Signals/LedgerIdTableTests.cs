using CsCheck;
using Rollgate.Signals;

namespace Rollgate.Tests.Signals;

/// <summary>The fixed-size table of one ledger segment, against a dictionary of the same keys.</summary>
public sealed class LedgerIdTableTests
{
    [Fact]
    public void Behaves_as_a_dictionary_up_to_its_capacity()
    {
        // Keys from a small range collide in the table's slots; keys near the top wrap round its end; zero is a key too.
        var key = Gen.OneOf(Gen.ULong[0, 40], Gen.ULong[ulong.MaxValue - 40, ulong.MaxValue], Gen.ULong);
        var operation = Gen.Frequency((6, Gen.Select(key, Gen.Int[1, 9]).Select(o => (Set: true, o.Item1, o.Item2))), (3, key.Select(k => (Set: false, k, 0))));

        Gen.Select(Gen.Int[1, 50], operation.Array[0, 200]).Sample((capacity, operations) =>
        {
            var table = new LedgerIdTable(capacity);
            var model = new Dictionary<ulong, int>();
            foreach (var (set, k, version) in operations)
            {
                if (set && !table.IsFull)
                {
                    table.Set(k, version);
                    model[k == 0 ? 1 : k] = version;
                }

                var found = table.TryGetValue(k, out var read);
                Assert.Equal(model.TryGetValue(k == 0 ? 1 : k, out var expected), found);
                Assert.Equal(found ? expected : 0, read);
                Assert.Equal(model.Count, table.Count);
            }
        });
    }

    [Fact]
    public void A_key_set_again_keeps_the_latest_version_and_takes_no_more_room()
    {
        var table = new LedgerIdTable(2);
        table.Set(42, 1);
        table.Set(42, 3);

        Assert.True(table.TryGetValue(42, out var version));
        Assert.Equal(3, version);
        Assert.Equal(1, table.Count);
        Assert.False(table.IsFull);
    }

    [Fact]
    public void Clearing_forgets_every_key_and_makes_room_for_as_many()
    {
        var table = new LedgerIdTable(100);
        for (var k = 1UL; k <= 100; k++)
        {
            table.Set(k * 0x9E3779B97F4A7C15UL, 1);
        }

        Assert.True(table.IsFull);
        table.Clear();
        Assert.Equal(0, table.Count);
        Assert.False(table.TryGetValue(0x9E3779B97F4A7C15UL, out _));
        for (var k = 101UL; k <= 200; k++)
        {
            table.Set(k * 0x9E3779B97F4A7C15UL, 2);
        }

        Assert.True(table.IsFull);
        Assert.True(table.TryGetValue(unchecked(200 * 0x9E3779B97F4A7C15UL), out var version));
        Assert.Equal(2, version);
    }
}
