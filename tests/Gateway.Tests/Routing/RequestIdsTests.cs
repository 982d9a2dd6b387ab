using Rollgate.Routing;

namespace Rollgate.Tests.Routing;

public sealed class RequestIdsTests
{
    [Fact]
    public void Ids_are_32_lowercase_hex_digits_and_distinct_across_threads()
    {
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 50_000; i++)
            {
                ids.Add(RequestIds.Next());
            }
        });

        Assert.All(ids.Take(1_000), id => Assert.Matches("^[0-9a-f]{32}$", id));
        Assert.Equal(200_000, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Single(ids.Select(id => id[..16]).Distinct()); // one process key: the counter half makes them unique
    }
}
