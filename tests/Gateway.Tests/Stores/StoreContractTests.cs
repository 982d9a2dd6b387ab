using System.Collections.Concurrent;
using System.Text.Json;
using Rollgate.Evals;
using Rollgate.Release;
using Rollgate.Stores;
using Rollgate.Tests.Infrastructure;
using static Rollgate.Tests.Stores.StoreTestData;

namespace Rollgate.Tests.Stores;

/// <summary>
/// What every <see cref="IRollgateStore"/> must do, run against each implementation. Each test gets a fresh,
/// isolated store; <see cref="ReopenAsync"/> swaps it for a new instance on the same data (a restart).
/// </summary>
public abstract class StoreContractTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;

    protected IRollgateStore Store { get; private set; } = null!;

    protected abstract Task<IRollgateStore> CreateStoreAsync();

    /// <summary>Disposes <see cref="Store"/> and opens a new store on the same data.</summary>
    protected abstract Task<IRollgateStore> ReopenStoreAsync();

    protected virtual Task CleanupAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await CleanupAsync();
    }

    protected async Task ReopenAsync() => Store = await ReopenStoreAsync();

    [Fact]
    public async Task Creating_an_agent_commits_generation_1_that_reads_back()
    {
        var agent = NewAgentName();
        var record = Record(agent, 1);

        Assert.True(await Store.TryCommitAsync(record, Event(1, HistoryEventTypes.Define), None));

        var stored = await Store.GetAgentAsync(agent, None);
        Assert.NotNull(stored);
        Assert.Equal(1, stored.Generation);
        Assert.Equal(ToJson(record), ToJson(stored));
        Assert.False(string.IsNullOrEmpty(Store.Kind));
    }

    [Fact]
    public async Task The_marks_of_fired_rules_are_committed_with_the_record()
    {
        var agent = NewAgentName();
        Assert.True(await Store.TryCommitAsync(Record(agent, 1), Event(1, HistoryEventTypes.Define), None));
        var fired = Record(agent, 2, stable: 1);
        fired = fired with { State = fired.State with { FiredRules = new FiredRules("Baking:1:x", ["alert when error_rate > 5%"]) } };

        Assert.True(await Store.TryCommitAsync(fired, Event(2, HistoryEventTypes.Alert), None));
        await ReopenAsync();

        var stored = await Store.GetAgentAsync(agent, None);
        Assert.Equal(ToJson(fired), ToJson(stored));
        Assert.True(stored!.State.FiredRules!.Contains("Baking:1:x", "alert when error_rate > 5%"));
    }

    [Fact]
    public async Task Unknown_agent_has_no_record_versions_or_history()
    {
        var agent = NewAgentName();

        Assert.Null(await Store.GetAgentAsync(agent, None));
        Assert.Null(await Store.GetVersionAsync(agent, 1, None));
        Assert.Empty(await Store.ListVersionsAsync(agent, None));
        Assert.Empty(await Store.GetHistoryAsync(agent, 10, None));
    }

    [Fact]
    public async Task Commit_with_a_stale_or_skipped_generation_returns_false_and_changes_nothing()
    {
        var agent = NewAgentName();
        var first = Record(agent, 1);
        var firstEvent = Event(1);
        Assert.True(await Store.TryCommitAsync(first, firstEvent, None));

        Assert.False(await Store.TryCommitAsync(Record(agent, 1, stable: 7), Event(1), None)); // stale: stored is already 1
        Assert.False(await Store.TryCommitAsync(Record(agent, 3, stable: 7), Event(3), None)); // skips generation 2
        var neverCreated = NewAgentName();
        Assert.False(await Store.TryCommitAsync(Record(neverCreated, 2), Event(2), None)); // a new agent starts at 1

        Assert.Equal(ToJson(first), ToJson(await Store.GetAgentAsync(agent, None)));
        var history = await Store.GetHistoryAsync(agent, 100, None);
        Assert.Equal([firstEvent.Id], history.Select(e => e.Id));
        Assert.Null(await Store.GetAgentAsync(neverCreated, None));
        Assert.Empty(await Store.GetHistoryAsync(neverCreated, 100, None));
    }

    [Fact]
    public async Task Of_ten_concurrent_commits_from_one_generation_exactly_one_wins()
    {
        var agent = NewAgentName();
        Assert.True(await Store.TryCommitAsync(Record(agent, 1), Event(1), None));
        var attempts = Enumerable.Range(0, 10).Select(i => (Record: Record(agent, 2, canaryPercent: i + 1), Event: Event(2))).ToArray();

        var results = await Task.WhenAll(attempts.Select(a => Task.Run(() => Store.TryCommitAsync(a.Record, a.Event, None))));

        Assert.Equal(1, results.Count(r => r));
        var winner = attempts[Array.IndexOf(results, true)];
        Assert.Equal(ToJson(winner.Record), ToJson(await Store.GetAgentAsync(agent, None)));
        var history = await Store.GetHistoryAsync(agent, 100, None);
        Assert.Equal(2, history.Count);
        Assert.Equal(winner.Event.Id, history[0].Id);
    }

    [Fact]
    public async Task History_is_newest_first_one_event_per_commit_and_respects_the_limit()
    {
        var agent = NewAgentName();
        var events = new List<HistoryEvent>();
        for (var generation = 1; generation <= 5; generation++)
        {
            var historyEvent = Event(generation, generation == 1 ? HistoryEventTypes.Define : HistoryEventTypes.Weight);
            events.Add(historyEvent);
            Assert.True(await Store.TryCommitAsync(Record(agent, generation, canaryPercent: generation), historyEvent, None));
        }

        var all = await Store.GetHistoryAsync(agent, 100, None);
        var latest = await Store.GetHistoryAsync(agent, 3, None);

        Assert.Equal([5L, 4, 3, 2, 1], all.Select(e => e.Generation));
        Assert.Equal(events.AsEnumerable().Reverse().Select(e => e.Id), all.Select(e => e.Id));
        Assert.Equal(ToJson(events[^1]), ToJson(all[0]));
        Assert.Equal([5L, 4, 3], latest.Select(e => e.Generation));
        Assert.Empty(await Store.GetHistoryAsync(agent, 0, None));
    }

    [Fact]
    public async Task Versions_are_numbered_from_1_and_identical_content_returns_the_existing_version()
    {
        var agent = NewAgentName();
        var contents = new[] { Version("one"), Version("two"), Version("three") };

        var added = new List<VersionAddResult>();
        foreach (var (hash, create) in contents)
        {
            added.Add(await Store.AddVersionAsync(agent, hash, create, None));
        }

        var again = await Store.AddVersionAsync(agent, contents[1].Hash, contents[1].Create, None);

        Assert.All(added, a => Assert.True(a.Created));
        Assert.Equal([1, 2, 3], added.Select(a => a.Version.Number));
        Assert.Equal(contents.Select(c => c.Hash), added.Select(a => a.Version.Hash));
        Assert.False(again.Created);
        Assert.Equal(2, again.Version.Number);
        Assert.Equal(ToJson(added[1].Version), ToJson(again.Version));
        Assert.Equal(3, (await Store.ListVersionsAsync(agent, None)).Count);
    }

    [Fact]
    public async Task Get_and_list_versions_return_what_was_added()
    {
        var agent = NewAgentName();
        var first = await Store.AddVersionAsync(agent, Version("a").Hash, Version("a").Create, None);
        var second = await Store.AddVersionAsync(agent, Version("b").Hash, Version("b").Create, None);

        var got = await Store.GetVersionAsync(agent, 2, None);
        var list = await Store.ListVersionsAsync(agent, None);

        Assert.Equal(ToJson(second.Version), ToJson(got));
        Assert.Null(await Store.GetVersionAsync(agent, 3, None));
        Assert.Equal([ToJson(first.Version), ToJson(second.Version)], list.Select(ToJson));
        Assert.Equal(["http://127.0.0.1:9001"], got!.Destinations());
    }

    [Fact]
    public async Task Twenty_concurrent_distinct_versions_get_numbers_1_to_20_exactly_once()
    {
        var agent = NewAgentName();
        var contents = Enumerable.Range(0, 20).Select(i => Version($"prompt {i}")).ToArray();

        var results = await Task.WhenAll(contents.Select(c => Task.Run(() => Store.AddVersionAsync(agent, c.Hash, c.Create, None))));

        Assert.All(results, r => Assert.True(r.Created));
        Assert.Equal(Enumerable.Range(1, 20), results.Select(r => r.Version.Number).Order());
        var stored = await Store.ListVersionsAsync(agent, None);
        Assert.Equal(Enumerable.Range(1, 20), stored.Select(v => v.Number));
        Assert.All(results, r => Assert.Equal(r.Version.Hash, stored[r.Version.Number - 1].Hash));
    }

    [Fact]
    public async Task Concurrent_adds_of_the_same_content_create_one_version()
    {
        var agent = NewAgentName();
        var (hash, create) = Version("same");

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => Store.AddVersionAsync(agent, hash, create, None))));

        Assert.Equal(1, results.Count(r => r.Created));
        Assert.All(results, r => Assert.Equal(1, r.Version.Number));
        Assert.Single(await Store.ListVersionsAsync(agent, None));
    }

    [Fact]
    public async Task ListAgents_lists_committed_agents_in_order_but_not_agents_that_only_have_versions()
    {
        var b = NewAgentName("b");
        var a = NewAgentName("a");
        var versionsOnly = NewAgentName("c");
        Assert.True(await Store.TryCommitAsync(Record(b, 1), Event(1), None));
        Assert.True(await Store.TryCommitAsync(Record(a, 1), Event(1), None));
        await Store.AddVersionAsync(versionsOnly, Version("x").Hash, Version("x").Create, None);

        var agents = await Store.ListAgentsAsync(None);

        Assert.Equal([a, b], agents);
    }

    [Fact]
    public async Task Watch_reports_commits_and_version_adds_until_disposed()
    {
        var agent = NewAgentName();
        var other = NewAgentName();
        var first = new ConcurrentQueue<string>();
        var second = new ConcurrentQueue<string>();
        var firstWatch = Store.Watch(first.Enqueue);
        using var secondWatch = Store.Watch(second.Enqueue);

        Assert.True(await Store.TryCommitAsync(Record(agent, 1), Event(1), None));
        await Eventually.TrueAsync(() => first.Contains(agent) && second.Contains(agent), "both watchers saw the commit");

        await Store.AddVersionAsync(other, Version("v").Hash, Version("v").Create, None);
        await Eventually.TrueAsync(() => first.Contains(other), "the watcher saw the version add");

        firstWatch.Dispose();
        first.Clear();
        second.Clear();
        Assert.True(await Store.TryCommitAsync(Record(agent, 2), Event(2), None));
        // Both watchers are called from the same notification, so once the second has seen it the first would have too.
        await Eventually.TrueAsync(() => second.Contains(agent), "the remaining watcher saw the second commit");
        Assert.Empty(first);
    }

    [Fact]
    public async Task The_epoch_is_the_same_on_every_read_and_after_a_reopen_and_a_watcher_is_told_it()
    {
        var epoch = await Store.GetEpochAsync(None);
        var told = new ConcurrentQueue<string>();
        using (Store.Watch(_ => { }, told.Enqueue))
        {
            await Eventually.TrueAsync(() => !told.IsEmpty, "the watcher was told the epoch");
        }

        Assert.False(string.IsNullOrWhiteSpace(epoch));
        Assert.Equal(epoch, await Store.GetEpochAsync(None));
        Assert.All(told, e => Assert.Equal(epoch, e));
        await ReopenAsync();
        Assert.Equal(epoch, await Store.GetEpochAsync(None));
    }

    [Fact]
    public async Task Acknowledged_generation_counts_and_a_lower_one_does_not()
    {
        var agent = NewAgentName();
        const string replica = "replica-a";
        await Store.HeartbeatAsync(replica, None);

        var before = await Store.GetAcksAsync(agent, 3, None);
        await Store.AcknowledgeAsync(replica, agent, 3, None);
        var atThree = await Store.GetAcksAsync(agent, 3, None);
        var atTwo = await Store.GetAcksAsync(agent, 2, None);
        var atFour = await Store.GetAcksAsync(agent, 4, None);
        await Store.AcknowledgeAsync(replica, agent, 2, None); // older news must not lower the applied generation
        var afterLower = await Store.GetAcksAsync(agent, 3, None);

        Assert.Equal(new FleetAcks(0, 1), before);
        Assert.False(before.All);
        Assert.Equal(new FleetAcks(1, 1), atThree);
        Assert.True(atThree.All);
        Assert.Equal(new FleetAcks(1, 1), atTwo);
        Assert.Equal(new FleetAcks(0, 1), atFour);
        Assert.Equal(new FleetAcks(1, 1), afterLower);
        Assert.Equal(0, (await Store.GetAcksAsync(NewAgentName(), 1, None)).Acked);
    }

    [Fact]
    public async Task Records_versions_and_history_survive_a_reopen()
    {
        var agent = NewAgentName();
        var events = new[] { Event(1, HistoryEventTypes.Define), Event(2), Event(3, HistoryEventTypes.Promote) };
        var records = new[] { Record(agent, 1), Record(agent, 2, canaryPercent: 5), Record(agent, 3, stable: 2) };
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await Store.TryCommitAsync(records[i], events[i], None));
        }

        var v1 = await Store.AddVersionAsync(agent, Version("one").Hash, Version("one").Create, None);
        var v2 = await Store.AddVersionAsync(agent, Version("two").Hash, Version("two").Create, None);

        await ReopenAsync();

        Assert.Equal(ToJson(records[2]), ToJson(await Store.GetAgentAsync(agent, None)));
        Assert.Equal(events.AsEnumerable().Reverse().Select(ToJson), (await Store.GetHistoryAsync(agent, 100, None)).Select(ToJson));
        Assert.Equal([ToJson(v1.Version), ToJson(v2.Version)], (await Store.ListVersionsAsync(agent, None)).Select(ToJson));
        Assert.Equal(ToJson(v2.Version), ToJson(await Store.GetVersionAsync(agent, 2, None)));
        Assert.Equal([agent], await Store.ListAgentsAsync(None));
        // The reopened store carries on from where the old one stopped.
        Assert.False(await Store.TryCommitAsync(Record(agent, 3), Event(3), None));
        Assert.True(await Store.TryCommitAsync(Record(agent, 4), Event(4), None));
        Assert.False((await Store.AddVersionAsync(agent, Version("one").Hash, Version("one").Create, None)).Created);
        Assert.Equal(3, (await Store.AddVersionAsync(agent, Version("three").Hash, Version("three").Create, None)).Version.Number);
    }

    [Fact]
    public async Task The_lease_holder_keeps_its_lease_by_renewing_it()
    {
        var lease = "lease-" + Guid.NewGuid().ToString("N");

        Assert.True(await Store.TryAcquireLeaseAsync(lease, "replica-a", TimeSpan.FromSeconds(30), None));
        Assert.True(await Store.TryAcquireLeaseAsync(lease, "replica-a", TimeSpan.FromSeconds(30), None));
    }

    [Fact]
    public async Task Apply_times_annotate_their_history_events_and_survive_a_reopen()
    {
        var agent = NewAgentName();
        var first = Event(1, HistoryEventTypes.Define);
        var second = Event(2);
        Assert.True(await Store.TryCommitAsync(Record(agent, 1), first, None));
        Assert.True(await Store.TryCommitAsync(Record(agent, 2), second, None));

        await Store.RecordApplyTimeAsync(agent, second.Id, 3.25, None);
        await ReopenAsync();
        var history = await Store.GetHistoryAsync(agent, 10, None);

        Assert.Equal(3.25, history[0].ApplyMs);
        Assert.Null(history[1].ApplyMs);
    }

    [Fact]
    public async Task A_tool_is_registered_changed_and_deleted_by_generation_with_a_history_of_its_own()
    {
        var tool = NewAgentName("tool");
        Assert.Null(await Store.GetToolAsync(tool, None));
        Assert.True(await Store.TryCommitToolAsync(tool, 0, Tool(tool, 1, "http://127.0.0.1:9100"), Event(1, HistoryEventTypes.Define, "tool registered"), None));
        Assert.False(await Store.TryCommitToolAsync(tool, 0, Tool(tool, 1, "http://127.0.0.1:9101"), Event(1, HistoryEventTypes.Define), None));
        Assert.True(await Store.TryCommitToolAsync(tool, 1, Tool(tool, 2, "http://127.0.0.1:9102"), Event(2, HistoryEventTypes.Define, "tool updated"), None));

        await ReopenAsync();
        var stored = await Store.GetToolAsync(tool, None);
        Assert.Equal(ToJson(Tool(tool, 2, "http://127.0.0.1:9102")), ToJson(stored));
        Assert.Equal([tool], (await Store.ListToolsAsync(None)).Select(t => t.Name));

        Assert.False(await Store.TryCommitToolAsync(tool, 1, null, Event(3, HistoryEventTypes.Delete), None));
        Assert.True(await Store.TryCommitToolAsync(tool, 2, null, Event(3, HistoryEventTypes.Delete, "tool deleted"), None));
        await ReopenAsync();
        Assert.Null(await Store.GetToolAsync(tool, None));
        Assert.Empty(await Store.ListToolsAsync(None));
        Assert.Equal(["tool deleted", "tool updated", "tool registered"], (await Store.GetToolHistoryAsync(tool, 10, None)).Select(e => e.Detail));
        Assert.Single(await Store.GetToolHistoryAsync(tool, 1, None));

        // Registered again, it starts over at generation 1, and its history goes on.
        Assert.True(await Store.TryCommitToolAsync(tool, 0, Tool(tool, 1, "http://127.0.0.1:9103"), Event(1, HistoryEventTypes.Define, "tool registered"), None));
        Assert.Equal(4, (await Store.GetToolHistoryAsync(tool, 10, None)).Count);
    }

    [Fact]
    public async Task An_eval_suite_is_stored_by_generation_and_its_results_go_with_an_eval_event_in_the_agent_history()
    {
        var agent = NewAgentName();
        Assert.True(await Store.TryCommitAsync(Record(agent, 1), Event(1, HistoryEventTypes.Define, "created"), None));
        Assert.Null(await Store.GetEvalSuiteAsync(agent, "smoke", None));

        Assert.True(await Store.TryCommitEvalSuiteAsync(Suite(agent, "smoke", 1, "hello"), None));
        Assert.False(await Store.TryCommitEvalSuiteAsync(Suite(agent, "smoke", 1, "stale"), None));
        Assert.False(await Store.TryCommitEvalSuiteAsync(Suite(agent, "smoke", 3, "skipped"), None));
        Assert.True(await Store.TryCommitEvalSuiteAsync(Suite(agent, "smoke", 2, "bye"), None));

        var at = DateTimeOffset.Parse("2026-01-01T00:00:00Z");
        var result = new EvalResult
        {
            Id = EvalResult.NewId(at), Agent = agent, Suite = "smoke", SuiteGeneration = 2, Version = 1, At = at, Passed = 1, Total = 2, PassRate = 0.5, CostUsd = 0.25,
            Cases =
            [
                new EvalCaseOutcome { Index = 0, Passed = true, Status = 200, Answer = "bye", CostUsd = 0.125 },
                new EvalCaseOutcome { Index = 1, Passed = false, Status = 500, Answer = "", Failure = "the data path answered 500", CostUsd = 0.125 },
            ],
        };
        await Store.RecordEvalResultAsync(result, Event(1, HistoryEventTypes.Eval, "eval suite 'smoke'"), None);

        await ReopenAsync();
        Assert.Equal(ToJson(Suite(agent, "smoke", 2, "bye")), ToJson(await Store.GetEvalSuiteAsync(agent, "smoke", None)));
        Assert.Null(await Store.GetEvalSuiteAsync(agent, "other", None));
        Assert.Equal(ToJson(result), ToJson(await Store.GetEvalResultAsync(agent, "smoke", result.Id, None)));
        Assert.Null(await Store.GetEvalResultAsync(agent, "other", result.Id, None));
        Assert.Null(await Store.GetEvalResultAsync(agent, "smoke", EvalResult.NewId(at), None));
        Assert.Equal(["eval suite 'smoke'", "created"], (await Store.GetHistoryAsync(agent, 10, None)).Select(e => e.Detail));
        Assert.Equal(1, (await Store.GetAgentAsync(agent, None))!.Generation);
    }

    private static EvalSuiteRecord Suite(string agent, string name, long generation, string contains) => new()
    {
        Agent = agent,
        Name = name,
        Generation = generation,
        Suite = new EvalSuite
        {
            Cases = [new EvalCase { Messages = [JsonSerializer.SerializeToElement(new { role = "user", content = "hi" })], Expect = new EvalExpectation { Contains = contains } }],
        },
        CreatedAt = DateTimeOffset.Parse("2026-01-01T00:00:00Z"),
        UpdatedAt = DateTimeOffset.Parse("2026-01-01T00:00:00Z"),
    };

    [Fact]
    public async Task Tools_are_listed_by_name_and_kept_apart_from_agents()
    {
        var b = "b-" + NewAgentName("tool");
        var a = "a-" + NewAgentName("tool");
        Assert.True(await Store.TryCommitToolAsync(b, 0, Tool(b, 1, "http://127.0.0.1:9100"), Event(1, HistoryEventTypes.Define), None));
        Assert.True(await Store.TryCommitToolAsync(a, 0, Tool(a, 1, "http://127.0.0.1:9100"), Event(1, HistoryEventTypes.Define), None));

        Assert.Equal([a, b], (await Store.ListToolsAsync(None)).Select(t => t.Name));
        Assert.Empty(await Store.ListAgentsAsync(None));
        Assert.Empty(await Store.GetToolHistoryAsync(NewAgentName("unknown"), 10, None));
    }

    [Fact]
    public async Task WatchTools_reports_tool_changes_until_disposed()
    {
        var told = 0;
        var watch = Store.WatchTools(() => Interlocked.Increment(ref told));
        var generation = 0L;
        var tool = NewAgentName("tool");
        // A watch may take a moment to be in place (a subscription), so the test keeps changing the tool until it is told.
        await Eventually.TrueAsync(async () =>
        {
            Assert.True(await Store.TryCommitToolAsync(tool, generation, Tool(tool, generation + 1, "http://127.0.0.1:9100"), Event(generation + 1, HistoryEventTypes.Define), None));
            generation++;
            return Volatile.Read(ref told) > 0;
        }, "the watcher was told of a tool change");

        watch.Dispose();
        var before = Volatile.Read(ref told);
        Assert.True(await Store.TryCommitToolAsync(tool, generation, null, Event(generation + 1, HistoryEventTypes.Delete), None));
        // Pub/sub delivers in order: once a second watcher hears of a later change, the first would have heard of this one.
        var after = 0;
        using var probe = Store.WatchTools(() => Interlocked.Increment(ref after));
        var other = NewAgentName("tool");
        var otherGeneration = 0L;
        await Eventually.TrueAsync(async () =>
        {
            Assert.True(await Store.TryCommitToolAsync(other, otherGeneration, Tool(other, otherGeneration + 1, "http://127.0.0.1:9100"), Event(otherGeneration + 1, HistoryEventTypes.Define), None));
            otherGeneration++;
            return Volatile.Read(ref after) > 0;
        }, "a new watcher was told");
        Assert.Equal(before, Volatile.Read(ref told));
    }
}
