using Rollgate.Admin.Views;
using Rollgate.Agents;
using Rollgate.Release;
using Rollgate.Stores;
using Rollgate.Stores.File;
using Rollgate.Tests.Infrastructure;
using Rollgate.Versions;

namespace Rollgate.Tests.Release;

/// <summary>
/// A change is committed and routed, but the store cannot say which replicas have it: the rollback answer says the
/// fleet report is unknown instead of claiming that every replica acknowledged.
/// </summary>
public sealed class FleetReportTests : IAsyncLifetime
{
    private readonly string _dataDir = GatewayInstance.NewDataDir();
    private FileStore _files = null!;
    private AcksUnreadableStore _store = null!;
    private ReleaseCommands _releases = null!;

    public Task InitializeAsync()
    {
        _files = FileStore.Open(_dataDir);
        _store = new AcksUnreadableStore(_files);
        _releases = TestReleases.Commands(_store, TimeProvider.System);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _files.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Unreadable_acknowledgements_are_reported_as_unknown_not_as_all_acked()
    {
        await _releases.DefineAsync("report-bot", new AgentDefinition(), new CommandIssuer("op"), default);
        foreach (var number in new[] { 1, 2 })
        {
            var draft = VersionComposer.Compose(new VersionManifest { Notes = $"v{number}" }, null, 0, DateTimeOffset.UtcNow, "op");
            await _files.AddVersionAsync("report-bot", draft.Hash + number, n => draft with { Number = n, Hash = draft.Hash + number }, default);
            await _releases.DeployAsync("report-bot", new Deployment(number) { Strategy = DeployStrategy.Immediate }, new CommandIssuer("op"), default);
        }

        _store.AcksUnreadable = true;
        var result = await _releases.RollbackAsync("report-bot", null, "bad", RollbackTrigger.Manual, new CommandIssuer("op"), default);

        var committed = Assert.IsType<CommandResult.Committed>(result);
        Assert.Equal(1, committed.Record.State.Stable);
        Assert.Null(committed.Timings.Replicas);
        var view = RollbackView.Of(committed, RollbackTrigger.Manual).Replicas;
        Assert.Null(view.Acked);
        Assert.Null(view.Total);
        Assert.Null(view.AllAckedMs);
        Assert.Contains("could not be read", view.Unknown);
    }

    /// <summary>The real file store, except that reading the fleet's acknowledgements fails as an unreachable store does.</summary>
    private sealed class AcksUnreadableStore(IRollgateStore inner) : DelegatingStore(inner)
    {
        public bool AcksUnreadable { get; set; }

        public override Task<FleetAcks> GetAcksAsync(string agent, long generation, CancellationToken cancellationToken)
            => AcksUnreadable ? throw new StoreUnavailableException("the store stopped answering") : base.GetAcksAsync(agent, generation, cancellationToken);
    }
}
