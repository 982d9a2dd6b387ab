using Microsoft.AspNetCore.Http;
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

    [Theory]
    [InlineData("client-chosen-id", true)]
    [InlineData("résumé-42 ✓", true)] // echoed as UTF-8
    [InlineData("", false)]
    [InlineData("tab\tinside", true)]
    [InlineData("bell\u0007", false)]
    [InlineData("del\u007f", false)]
    public void A_client_id_is_usable_when_it_can_be_echoed_in_a_response_header(string id, bool usable)
        => Assert.Equal(usable, RequestIds.IsUsable(id));

    [Fact]
    public void A_client_id_is_usable_up_to_128_characters()
    {
        Assert.True(RequestIds.IsUsable(new string('x', 128)));
        Assert.False(RequestIds.IsUsable(new string('x', 129)));
    }

    [Fact]
    public void A_request_keeps_a_usable_client_id_and_gets_a_new_one_in_place_of_an_unusable_one()
    {
        var headers = new HeaderDictionary { [RollgateHeaders.RequestId] = "client-chosen-id" };
        Assert.Equal(("client-chosen-id", false), RequestIds.For(headers));
        Assert.Equal("client-chosen-id", headers[RollgateHeaders.RequestId]);

        headers[RollgateHeaders.RequestId] = "bell\u0007";
        var (id, generated) = RequestIds.For(headers);
        Assert.True(generated);
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.False(headers.ContainsKey(RollgateHeaders.RequestId)); // neither forwarded nor echoed

        var (fresh, created) = RequestIds.For(new HeaderDictionary());
        Assert.True(created);
        Assert.NotEqual(id, fresh);
    }
}
