namespace Rollgate.Tests.Routing;

/// <summary>
/// Clients, backends and webhook receivers match on these names, and the tests use the constants: this pins the names
/// themselves, so that renaming one is a deliberate change of the contract, never a side effect of a refactor.
/// </summary>
public sealed class RollgateHeadersTests
{
    [Fact]
    public void The_header_names_on_the_wire_are_the_documented_ones()
    {
        Assert.Equal(
            [
                "X-Request-Id", "X-Session-Id", "X-Rollgate-Preview-Version", "X-Rollgate-Preview-Token", "X-Rollgate-Agent",
                "X-Rollgate-Version", "X-Rollgate-Version-Hash", "X-Rollgate-Role", "X-Rollgate-Cost-Usd", "X-Rollgate-Outcome",
                "X-Rollgate-Model", "X-Rollgate-Event", "X-Rollgate-Event-Id",
            ],
            [
                RollgateHeaders.RequestId, RollgateHeaders.SessionId, RollgateHeaders.PreviewVersion, RollgateHeaders.PreviewToken,
                RollgateHeaders.Agent, RollgateHeaders.Version, RollgateHeaders.VersionHash, RollgateHeaders.Role,
                RollgateHeaders.CostUsd, RollgateHeaders.Outcome, RollgateHeaders.Model, RollgateHeaders.Event, RollgateHeaders.EventId,
            ]);
    }
}
