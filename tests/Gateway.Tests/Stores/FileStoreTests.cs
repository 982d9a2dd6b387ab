using System.Text;
using Rollgate.Release;
using Rollgate.Stores.File;
using static Rollgate.Tests.Stores.StoreTestData;

namespace Rollgate.Tests.Stores;

/// <summary>What only the file store does: the DataDir lock and crash repair of the history log.</summary>
public sealed class FileStoreTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "rollgate-filestore-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public async Task A_second_store_on_the_same_DataDir_is_refused_with_a_clear_message()
    {
        await using var first = FileStore.Open(_dataDir);

        var error = Assert.Throws<DataDirInUseException>(() => FileStore.Open(_dataDir));

        Assert.Contains("in use", error.Message);
        Assert.Contains(Path.GetFullPath(_dataDir), error.Message);
    }

    [Fact]
    public async Task The_lock_is_released_on_dispose()
    {
        var first = FileStore.Open(_dataDir);
        await first.DisposeAsync();

        await using var second = FileStore.Open(_dataDir);

        Assert.Equal("file", second.Kind);
    }

    [Fact]
    public async Task A_torn_last_history_line_is_dropped_on_open()
    {
        var agent = NewAgentName();
        var events = await CommitAsync(agent, 2);
        await System.IO.File.AppendAllTextAsync(HistoryPath(agent), """{"id":"evt_torn","at":"2025-""");

        await using (var store = FileStore.Open(_dataDir))
        {
            Assert.Equal(events.AsEnumerable().Reverse().Select(e => e.Id), (await store.GetHistoryAsync(agent, 10, None)).Select(e => e.Id));
            Assert.True(await store.TryCommitAsync(Record(agent, 3), Event(3), None));
        }

        // The next append started on a clean line, so the log reads back whole.
        await using var reopened = FileStore.Open(_dataDir);
        Assert.Equal([3L, 2, 1], (await reopened.GetHistoryAsync(agent, 10, None)).Select(e => e.Generation));
        Assert.DoesNotContain("evt_torn", await System.IO.File.ReadAllTextAsync(HistoryPath(agent)));
    }

    [Fact]
    public async Task A_history_log_missing_the_last_committed_event_gets_it_back_on_open()
    {
        var agent = NewAgentName();
        var events = await CommitAsync(agent, 3);
        TruncateHistory(agent, dropBytes: LastLineLength(agent)); // the crash came after the commit, before the append

        await using var store = FileStore.Open(_dataDir);

        var history = await store.GetHistoryAsync(agent, 10, None);
        Assert.Equal(events.AsEnumerable().Reverse().Select(ToJson), history.Select(ToJson));
        Assert.Equal(3, (await System.IO.File.ReadAllLinesAsync(HistoryPath(agent))).Length);
    }

    [Fact]
    public async Task A_half_written_last_event_is_dropped_and_rewritten_from_the_committed_record()
    {
        var agent = NewAgentName();
        var events = await CommitAsync(agent, 3);
        TruncateHistory(agent, dropBytes: 10);

        await using var store = FileStore.Open(_dataDir);

        Assert.Equal(events.AsEnumerable().Reverse().Select(ToJson), (await store.GetHistoryAsync(agent, 10, None)).Select(ToJson));
        Assert.Equal(3, (await System.IO.File.ReadAllLinesAsync(HistoryPath(agent))).Length);
    }

    [Fact]
    public async Task An_uncommitted_temp_file_is_discarded_on_open()
    {
        var agent = NewAgentName();
        await CommitAsync(agent, 2);
        var temp = Path.Combine(_dataDir, "agents", agent, "agent.json.tmp");
        await System.IO.File.WriteAllTextAsync(temp, "{ half a record");

        await using var store = FileStore.Open(_dataDir);

        Assert.Equal(2, (await store.GetAgentAsync(agent, None))!.Generation);
        Assert.False(System.IO.File.Exists(temp));
    }

    private async Task<List<HistoryEvent>> CommitAsync(string agent, int generations)
    {
        var events = new List<HistoryEvent>();
        await using var store = FileStore.Open(_dataDir);
        for (var generation = 1; generation <= generations; generation++)
        {
            var historyEvent = Event(generation);
            Assert.True(await store.TryCommitAsync(Record(agent, generation), historyEvent, None));
            events.Add(historyEvent);
        }

        return events;
    }

    private string HistoryPath(string agent) => Path.Combine(_dataDir, "agents", agent, "history.jsonl");

    private int LastLineLength(string agent)
    {
        var lines = System.IO.File.ReadAllLines(HistoryPath(agent));
        return Encoding.UTF8.GetByteCount(lines[^1]) + 1;
    }

    private void TruncateHistory(string agent, int dropBytes)
    {
        using var stream = new FileStream(HistoryPath(agent), FileMode.Open, FileAccess.Write);
        stream.SetLength(stream.Length - dropBytes);
    }
}
