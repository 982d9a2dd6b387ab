using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rollgate.Agents;
using Rollgate.Release;
using Rollgate.Stores;
using Rollgate.Stores.File;
using Rollgate.Tests.Infrastructure;
using Rollgate.Versions;

namespace Rollgate.Tests.Release;

/// <summary>
/// A rollback's timings and its wait for the fleet run on the release layer's <see cref="TimeProvider"/>: a fake clock
/// ends the wait at the timeout or when the last replica acknowledges, and nothing waits for real time.
/// </summary>
public sealed class FleetAckWaitTests : IAsyncLifetime
{
    private const string Agent = "fleet-bot";
    private static readonly CommandIssuer Operator = new("op");
    private static readonly TimeSpan FleetAckTimeout = TimeSpan.FromHours(1);
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan PublishTime = TimeSpan.FromMilliseconds(5);

    private readonly string _dataDir = GatewayInstance.NewDataDir();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 4, 1, 8, 0, 0, TimeSpan.Zero));
    private FileStore _files = null!;
    private SecondReplicaStore _store = null!;
    private ReleaseCommands _commands = null!;

    public async Task InitializeAsync()
    {
        _files = FileStore.Open(_dataDir);
        _store = new SecondReplicaStore(_files, _time);
        var releases = new ReleaseManager(_store, new PublishingApplier(_store, _time), _time, NullLogger<ReleaseManager>.Instance) { FleetAckTimeout = FleetAckTimeout };
        _commands = new ReleaseCommands(releases, NullLogger<ReleaseCommands>.Instance);
        await _commands.DefineAsync(Agent, new AgentDefinition(), Operator, default);
        foreach (var number in new[] { 1, 2 })
        {
            var draft = VersionComposer.Compose(new VersionManifest { Notes = $"v{number}" }, null, 0, _time.GetUtcNow(), "op");
            var content = draft with { Hash = draft.Hash + number };
            await _files.AddVersionAsync(Agent, content.Hash, n => content with { Number = n }, default);
            await _commands.DeployAsync(Agent, new Deployment(number) { Strategy = DeployStrategy.Immediate }, Operator, default);
        }
    }

    public async Task DisposeAsync()
    {
        await _files.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task A_rollback_waits_for_a_silent_replica_until_the_timeout_on_the_fake_clock_then_answers()
    {
        var readsBefore = _store.AckReads.Count;

        var committed = Assert.IsType<CommandResult.Committed>(await DriveAsync(_commands.RollbackAsync(Agent, null, null, RollbackTrigger.Manual, Operator, default)));

        Assert.Equal(new FleetAcks(1, 2), committed.Timings.Replicas);
        Assert.Null(committed.Timings.AllAckedMs);
        var reads = _store.AckReads.Skip(readsBefore).ToArray();
        Assert.True(reads.Length > 2, "the acknowledgements were read again while waiting");
        var waited = reads[^1] - reads[0];
        // The clock moves in steps, and the step that ends a poll may come a little after the poll began.
        Assert.InRange(waited, FleetAckTimeout, FleetAckTimeout + 5 * Step);
    }

    [Fact]
    public async Task A_rollback_answers_when_the_last_replica_acknowledges_and_times_everything_on_one_clock()
    {
        _store.SecondAcknowledgesAt = _time.GetUtcNow() + TimeSpan.FromMinutes(10);

        var committed = Assert.IsType<CommandResult.Committed>(await DriveAsync(_commands.RollbackAsync(Agent, null, null, RollbackTrigger.Manual, Operator, default)));

        Assert.Equal(new FleetAcks(2, 2), committed.Timings.Replicas);
        Assert.InRange(committed.Timings.AllAckedMs!.Value, TimeSpan.FromMinutes(10).TotalMilliseconds, (TimeSpan.FromMinutes(10) + 5 * Step).TotalMilliseconds);
        Assert.Equal(PublishTime.TotalMilliseconds, committed.Timings.ApplyMs);
        Assert.Equal(0, committed.Timings.CommitMs);
        Assert.Equal(committed.Timings.DecidedAt + PublishTime, committed.Timings.AppliedAt);
    }

    /// <summary>Moves the fake clock on, a step at a time, until <paramref name="command"/> answers.</summary>
    private async Task<CommandResult> DriveAsync(Task<CommandResult> command)
    {
        await Eventually.TrueAsync(() =>
        {
            if (!command.IsCompleted)
            {
                _time.Advance(Step);
            }

            return command.IsCompleted;
        }, "the command answered");
        return await command;
    }

    /// <summary>Routes by a commit after <see cref="PublishTime"/> on the fake clock, and acknowledges it as this replica.</summary>
    private sealed class PublishingApplier(IRollgateStore store, FakeTimeProvider time) : IReleaseApplier
    {
        public async ValueTask<long> ApplyCommittedAsync(AgentRecord record, CancellationToken cancellationToken)
        {
            time.Advance(PublishTime);
            var applied = time.GetTimestamp();
            await store.AcknowledgeAsync(ImmediateApplier.ReplicaId, record.Name, record.Generation, cancellationToken);
            return applied;
        }
    }

    /// <summary>
    /// The file store's one replica, plus a second one that acknowledges every generation from <see cref="SecondAcknowledgesAt"/>
    /// on (never, when unset). Records when the acknowledgements were read, on the fake clock.
    /// </summary>
    private sealed class SecondReplicaStore(IRollgateStore inner, TimeProvider time) : DelegatingStore(inner)
    {
        private readonly List<DateTimeOffset> _ackReads = [];

        public DateTimeOffset? SecondAcknowledgesAt { get; set; }

        public IReadOnlyList<DateTimeOffset> AckReads
        {
            get
            {
                lock (_ackReads)
                {
                    return [.. _ackReads];
                }
            }
        }

        public override async Task<FleetAcks> GetAcksAsync(string agent, long generation, CancellationToken cancellationToken)
        {
            var now = time.GetUtcNow();
            lock (_ackReads)
            {
                _ackReads.Add(now);
            }

            var here = await base.GetAcksAsync(agent, generation, cancellationToken);
            return new FleetAcks(here.Acked + (now >= SecondAcknowledgesAt ? 1 : 0), here.Total + 1);
        }
    }
}
