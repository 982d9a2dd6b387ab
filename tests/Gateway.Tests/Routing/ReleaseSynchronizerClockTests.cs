using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Rollgate.Agents;
using Rollgate.Release;
using Rollgate.Routing;
using Rollgate.Signals;
using Rollgate.Stores;
using Rollgate.Stores.File;
using Rollgate.Tests.Infrastructure;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;

namespace Rollgate.Tests.Routing;

/// <summary>
/// The release synchroniser reads and waits on its <see cref="TimeProvider"/>: a fake clock drives its heartbeats and
/// its load retries, and the moment it reports a commit as routed is a timestamp of that clock.
/// </summary>
public sealed class ReleaseSynchronizerClockTests : IAsyncLifetime
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private readonly string _dataDir = GatewayInstance.NewDataDir();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 4, 1, 8, 0, 0, TimeSpan.Zero));
    private readonly RoutingState _routing = new();
    private FileStore _files = null!;
    private CountingStore _store = null!;
    private ServiceProvider _proxy = null!;
    private ReleaseSynchronizer _synchronizer = null!;

    public Task InitializeAsync()
    {
        _files = FileStore.Open(_dataDir);
        _store = new CountingStore(_files);
        var services = new ServiceCollection().AddLogging();
        services.AddReverseProxy().LoadFromMemory([], []).AddVersionRoutes();
        _proxy = services.BuildServiceProvider();
        _synchronizer = new ReleaseSynchronizer(_store, _routing, _proxy.GetRequiredService<InMemoryConfigProvider>(), _proxy.GetRequiredService<IProxyStateLookup>(),
            new ProxyConfigBuilder(TimeSpan.FromSeconds(5)), _proxy.GetRequiredService<VersionRoutes>(), new ReplicaIdentity("clock-test"), new SignalRecorder(_time), _time, NullLogger<ReleaseSynchronizer>.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _synchronizer.StopAsync(default);
        _synchronizer.Dispose();
        await _proxy.DisposeAsync();
        await _files.DisposeAsync();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Heartbeats_come_once_a_second_of_the_fake_clock()
    {
        var clock = Stopwatch.StartNew();
        await _synchronizer.StartAsync(default);
        await Eventually.TrueAsync(() => _store.Heartbeats == 1, "the first heartbeat was sent");

        for (var expected = 2; expected <= 7; expected++)
        {
            _time.Advance(Second);
            await Eventually.TrueAsync(() => _store.Heartbeats == expected, $"heartbeat {expected} was sent");
        }

        // Six seconds of the real clock would also have sent these; the fake clock sends them at once.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"the heartbeats took {clock.Elapsed.TotalSeconds:F1} s of real time");
    }

    [Fact]
    public async Task Loading_is_retried_a_second_of_the_fake_clock_after_each_failure()
    {
        var clock = Stopwatch.StartNew();
        _store.EpochFailures = 5;
        await _synchronizer.StartAsync(default);

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await Eventually.TrueAsync(() => _store.EpochReads == attempt, $"load attempt {attempt} was made");
            Assert.False(_routing.Loaded);
            _time.Advance(Second);
        }

        await Eventually.TrueAsync(() => _routing.Loaded, "the release state was loaded");
        Assert.Equal(6, _store.EpochReads);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"the retries took {clock.Elapsed.TotalSeconds:F1} s of real time");
    }

    [Fact]
    public async Task A_commit_is_reported_as_routed_at_a_timestamp_of_the_fake_clock()
    {
        var record = new AgentRecord
        {
            Name = "clock-bot", Generation = 1, Definition = new AgentDefinition(), State = ReleaseState.Empty, CreatedAt = _time.GetUtcNow(), UpdatedAt = _time.GetUtcNow(),
        };
        var before = _time.GetTimestamp();

        var applied = await _synchronizer.ApplyCommittedAsync(record, default);

        Assert.Equal(TimeSpan.Zero, _time.GetElapsedTime(before, applied));
    }

    /// <summary>The real file store, counting heartbeats and epoch reads; the first <see cref="EpochFailures"/> epoch reads fail.</summary>
    private sealed class CountingStore(IRollgateStore inner) : DelegatingStore(inner)
    {
        private int _heartbeats;
        private int _epochReads;

        public int Heartbeats => Volatile.Read(ref _heartbeats);

        public int EpochReads => Volatile.Read(ref _epochReads);

        public int EpochFailures { get; set; }

        public override Task HeartbeatAsync(string replicaId, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _heartbeats);
            return base.HeartbeatAsync(replicaId, cancellationToken);
        }

        public override Task<string> GetEpochAsync(CancellationToken cancellationToken)
            => Interlocked.Increment(ref _epochReads) <= EpochFailures
                ? throw new StoreUnavailableException("the store is not answering yet")
                : base.GetEpochAsync(cancellationToken);
    }
}
