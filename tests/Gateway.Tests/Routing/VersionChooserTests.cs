using Rollgate.Agents;
using Rollgate.Routing;

namespace Rollgate.Tests.Routing;

public sealed class VersionChooserTests
{
    [Fact]
    public void A_preview_is_served_only_to_an_operator_token_and_only_for_a_version_of_the_agent()
    {
        var fixture = new DataPathFixture(canaryPercent: 0);
        var chooser = new VersionChooser(fixture.Tokens);
        VersionTarget? Choose(string version, string? token) => chooser.Choose(fixture.Route, DataPathFixture.Request(configure: r =>
        {
            r.Headers[RollgateHeaders.PreviewVersion] = version;
            if (token is not null)
            {
                r.Headers[RollgateHeaders.PreviewToken] = token;
            }
        }).Request);

        var preview = Choose("3", DataPathFixture.OperatorToken);
        Assert.Equal((3, VersionRole.Preview), (preview!.Number, preview.Role));
        Assert.Same(fixture.Route.Stable, Choose("3", DataPathFixture.ViewerToken));
        Assert.Same(fixture.Route.Stable, Choose("3", token: null));
        Assert.Same(fixture.Route.Stable, Choose("9", DataPathFixture.OperatorToken));
        Assert.Same(fixture.Route.Stable, Choose("three", DataPathFixture.OperatorToken));
    }

    [Fact]
    public void One_deployed_version_serves_everything_and_an_agent_without_one_gets_none()
    {
        var stableOnly = new DataPathFixture(stable: 1, canary: null);
        var canaryOnly = new DataPathFixture(stable: null, canary: 2);
        var none = new DataPathFixture(stable: null, canary: null);

        Assert.Same(stableOnly.Route.Stable, new VersionChooser(stableOnly.Tokens).Choose(stableOnly.Route, DataPathFixture.Request().Request));
        Assert.Same(canaryOnly.Route.Canary, new VersionChooser(canaryOnly.Tokens).Choose(canaryOnly.Route, DataPathFixture.Request().Request));
        Assert.Null(new VersionChooser(none.Tokens).Choose(none.Route, DataPathFixture.Request().Request));
    }

    [Fact]
    public void A_conversation_keeps_its_version_and_the_canary_weight_splits_the_conversations()
    {
        var fixture = new DataPathFixture(canaryPercent: 30, stickyBy: new StickyBy { Query = "session" });
        var chooser = new VersionChooser(fixture.Tokens);
        VersionTarget Choose(string session)
            => chooser.Choose(fixture.Route, DataPathFixture.Request(configure: r => r.QueryString = new($"?session={session}")).Request)!;

        var sessions = Enumerable.Range(0, 2_000).Select(i => $"conversation-{i}").ToArray();
        var first = sessions.ToDictionary(s => s, Choose);

        Assert.All(sessions, s => Assert.Same(first[s], Choose(s)));
        var onCanary = first.Values.Count(t => t.Role == VersionRole.Canary);
        Assert.InRange(onCanary, 500, 700); // 30% of 2,000, give or take the hash's spread
    }

    [Fact]
    public void Without_a_conversation_key_each_request_is_drawn_against_the_weight()
    {
        var fixture = new DataPathFixture(canaryPercent: 50);
        var chooser = new VersionChooser(fixture.Tokens);

        var roles = Enumerable.Range(0, 400).Select(_ => chooser.Choose(fixture.Route, DataPathFixture.Request().Request)!.Role).ToArray();

        Assert.InRange(roles.Count(r => r == VersionRole.Canary), 120, 280);
        Assert.InRange(roles.Count(r => r == VersionRole.Stable), 120, 280);
    }
}
