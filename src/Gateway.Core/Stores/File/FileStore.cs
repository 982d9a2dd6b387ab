using System.Collections.Concurrent;
using System.Text.Json;
using Rollgate.Evals;
using Rollgate.Release;
using Rollgate.Tools;
using Rollgate.Versions;
using Rollgate.Json;

namespace Rollgate.Stores.File;

/// <summary>
/// The embedded store: one directory per agent under <c>{DataDir}/agents</c>.
/// <list type="bullet">
/// <item><c>agent.json</c> holds the record and the history event of its last change. It is replaced with
/// temp file + fsync + rename, so that rename is the commit point of a change.</item>
/// <item><c>history.jsonl</c> is an append-only log derived from those commits; at start-up a torn last line is
/// dropped and a missing last event is re-appended from <c>agent.json</c>, so a crash anywhere loses nothing
/// that was acknowledged.</item>
/// <item><c>versions/NNNNNN.json</c>, one immutable file per version.</item>
/// </list>
/// Tools live the same way under <c>{DataDir}/tools/{tool}</c>: <c>tool.json</c> (the record, or none once deleted, and
/// the last event) and <c>history.jsonl</c>.
/// Eval suites live under <c>{DataDir}/evals/{agent}/{suite}</c>: <c>suite.json</c> and <c>results/{id}.json</c>; they are
/// read from disk when asked for (operators read them, the data path never does).
/// <c>{DataDir}/epoch</c> holds the store's epoch, written when the directory is first opened.
/// All writes go through one async gate; reads are served from memory.
/// </summary>
public sealed class FileStore : IRollgateStore
{
    private readonly string _root;
    private readonly DataDirLock _lock;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly ConcurrentDictionary<string, AgentFiles> _agents = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ToolFiles> _tools = new(StringComparer.Ordinal);
    private readonly string _toolsRoot;
    private readonly string _evalsRoot;
    private readonly List<Action<string>> _watchers = [];
    private readonly List<Action> _toolWatchers = [];
    private readonly ConcurrentDictionary<string, long> _acks = new(StringComparer.Ordinal);
    private readonly string _epochPath;
    private string _epoch = "";

    private FileStore(string dataDir, DataDirLock dataDirLock)
    {
        _root = Path.Combine(dataDir, "agents");
        _toolsRoot = Path.Combine(dataDir, "tools");
        _evalsRoot = Path.Combine(dataDir, "evals");
        _epochPath = Path.Combine(dataDir, "epoch");
        _lock = dataDirLock;
    }

    public string Kind => "file";

    public static FileStore Open(string dataDir)
    {
        var dataDirLock = DataDirLock.Acquire(dataDir);
        var store = new FileStore(dataDir, dataDirLock);
        try
        {
            store.Load();
            return store;
        }
        catch
        {
            dataDirLock.Dispose();
            throw;
        }
    }

    public Task<IReadOnlyList<string>> ListAgentsAsync(CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyList<string>>(_agents.Values.Where(a => a.Record is not null).Select(a => a.Name).Order(StringComparer.Ordinal).ToArray());

    public Task<AgentRecord?> GetAgentAsync(string agent, CancellationToken cancellationToken)
        => Task.FromResult(_agents.TryGetValue(agent, out var files) ? files.Record : null);

    public async Task<bool> TryCommitAsync(AgentRecord next, HistoryEvent historyEvent, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var files = _agents.GetOrAdd(next.Name, name => new AgentFiles(name, Path.Combine(_root, name)));
            var current = files.Record?.Generation ?? 0;
            if (current != next.Generation - 1)
            {
                return false;
            }

            CreateDurableDirectory(files.Directory);
            var document = JsonSerializer.SerializeToUtf8Bytes(new AgentDocument(next, historyEvent), RollgateJson.Options);
            await DurableFile.WriteAtomicAsync(files.AgentPath, document, cancellationToken);
            // Committed. The history log is derived: if the process dies before this append, Load() repairs it.
            files.Record = next;
            await DurableFile.AppendLineAsync(files.HistoryPath, JsonSerializer.SerializeToUtf8Bytes(historyEvent, RollgateJson.Options), CancellationToken.None);
            files.History.Add(historyEvent);
        }
        finally
        {
            _writeGate.Release();
        }

        Notify(next.Name);
        return true;
    }

    public async Task<VersionAddResult> AddVersionAsync(string agent, string contentHash, Func<int, AgentVersion> create, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        AgentVersion version;
        try
        {
            var files = _agents.GetOrAdd(agent, name => new AgentFiles(name, Path.Combine(_root, name)));
            if (files.ByHash.TryGetValue(contentHash, out var existing))
            {
                return new VersionAddResult(files.Versions[existing], Created: false);
            }

            var number = files.Versions.IsEmpty ? 1 : files.Versions.Keys.Max() + 1;
            version = create(number);
            CreateDurableDirectory(files.Directory);
            CreateDurableDirectory(files.VersionsDirectory);
            await DurableFile.WriteAtomicAsync(files.VersionPath(number), JsonSerializer.SerializeToUtf8Bytes(version, RollgateJson.Options), cancellationToken);
            files.Versions[number] = version;
            files.ByHash[contentHash] = number;
        }
        finally
        {
            _writeGate.Release();
        }

        Notify(agent);
        return new VersionAddResult(version, Created: true);
    }

    public Task<AgentVersion?> GetVersionAsync(string agent, int number, CancellationToken cancellationToken)
        => Task.FromResult(_agents.TryGetValue(agent, out var files) && files.Versions.TryGetValue(number, out var v) ? v : null);

    public Task<IReadOnlyList<AgentVersion>> ListVersionsAsync(string agent, CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyList<AgentVersion>>(_agents.TryGetValue(agent, out var files)
            ? files.Versions.Values.OrderBy(v => v.Number).ToArray()
            : []);

    public async Task RecordApplyTimeAsync(string agent, string eventId, double applyMs, CancellationToken cancellationToken)
    {
        if (!_agents.TryGetValue(agent, out var files))
        {
            return;
        }

        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var line = JsonSerializer.SerializeToUtf8Bytes(new ApplyTime(eventId, applyMs), RollgateJson.Options);
            await DurableFile.AppendLineAsync(files.TimingsPath, line, cancellationToken);
            files.ApplyTimes[eventId] = applyMs;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task<IReadOnlyList<HistoryEvent>> GetHistoryAsync(string agent, int limit, CancellationToken cancellationToken)
    {
        if (!_agents.TryGetValue(agent, out var files))
        {
            return [];
        }

        // The gate keeps the list stable while it is copied.
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            return files.History.AsEnumerable().Reverse().Take(limit)
                .Select(e => files.ApplyTimes.TryGetValue(e.Id, out var ms) ? e with { ApplyMs = ms } : e)
                .ToArray();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>The data directory is locked by this process while it is open, so the epoch cannot change under it.</summary>
    public Task<string> GetEpochAsync(CancellationToken cancellationToken) => Task.FromResult(_epoch);

    public IDisposable Watch(Action<string> onChange, Action<string>? onEpoch = null)
    {
        lock (_watchers)
        {
            _watchers.Add(onChange);
        }

        onEpoch?.Invoke(_epoch);

        return new Unsubscriber(() =>
        {
            lock (_watchers)
            {
                _watchers.Remove(onChange);
            }
        });
    }

    /// <summary>One process owns the data directory, so it holds every lease.</summary>
    public Task<bool> TryAcquireLeaseAsync(string name, string owner, TimeSpan ttl, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task HeartbeatAsync(string replicaId, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The file store serves one process, so the fleet is this replica alone.</summary>
    public Task AcknowledgeAsync(string replicaId, string agent, long generation, CancellationToken cancellationToken)
    {
        _acks.AddOrUpdate(agent, generation, (_, old) => Math.Max(old, generation));
        return Task.CompletedTask;
    }

    public Task<FleetAcks> GetAcksAsync(string agent, long generation, CancellationToken cancellationToken)
        => Task.FromResult(new FleetAcks(_acks.TryGetValue(agent, out var applied) && applied >= generation ? 1 : 0, 1));

    public Task<IReadOnlyList<ToolRecord>> ListToolsAsync(CancellationToken cancellationToken)
        => Task.FromResult<IReadOnlyList<ToolRecord>>(_tools.Values.Select(t => t.Record).OfType<ToolRecord>().OrderBy(t => t.Name, StringComparer.Ordinal).ToArray());

    public Task<ToolRecord?> GetToolAsync(string tool, CancellationToken cancellationToken)
        => Task.FromResult(_tools.TryGetValue(tool, out var files) ? files.Record : null);

    public async Task<bool> TryCommitToolAsync(string tool, long expectedGeneration, ToolRecord? next, HistoryEvent historyEvent, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var files = _tools.GetOrAdd(tool, name => new ToolFiles(Path.Combine(_toolsRoot, name)));
            if ((files.Record?.Generation ?? 0) != expectedGeneration)
            {
                return false;
            }

            CreateDurableDirectory(_toolsRoot);
            CreateDurableDirectory(files.Directory);
            var document = JsonSerializer.SerializeToUtf8Bytes(new ToolDocument(next, historyEvent), RollgateJson.Options);
            await DurableFile.WriteAtomicAsync(files.ToolPath, document, cancellationToken);
            files.Record = next;
            await DurableFile.AppendLineAsync(files.HistoryPath, JsonSerializer.SerializeToUtf8Bytes(historyEvent, RollgateJson.Options), CancellationToken.None);
            files.History.Add(historyEvent);
        }
        finally
        {
            _writeGate.Release();
        }

        NotifyTools();
        return true;
    }

    public async Task<IReadOnlyList<HistoryEvent>> GetToolHistoryAsync(string tool, int limit, CancellationToken cancellationToken)
    {
        if (!_tools.TryGetValue(tool, out var files))
        {
            return [];
        }

        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            return files.History.AsEnumerable().Reverse().Take(limit).ToArray();
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public IDisposable WatchTools(Action onChange)
    {
        lock (_toolWatchers)
        {
            _toolWatchers.Add(onChange);
        }

        return new Unsubscriber(() =>
        {
            lock (_toolWatchers)
            {
                _toolWatchers.Remove(onChange);
            }
        });
    }

    public ValueTask DisposeAsync()
    {
        _lock.Dispose();
        _writeGate.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Notify(string agent)
    {
        Action<string>[] watchers;
        lock (_watchers)
        {
            watchers = [.. _watchers];
        }

        foreach (var watcher in watchers)
        {
            try
            {
                watcher(agent);
            }
            catch (Exception)
            {
                // A watcher's failure must not turn a committed change into an error for the writer.
            }
        }
    }

    public async Task<EvalSuiteRecord?> GetEvalSuiteAsync(string agent, string suite, CancellationToken cancellationToken)
        => await ReadJsonAsync<EvalSuiteRecord>(SuitePath(agent, suite), cancellationToken);

    public async Task<bool> TryCommitEvalSuiteAsync(EvalSuiteRecord next, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var path = SuitePath(next.Agent, next.Name);
            var current = await ReadJsonAsync<EvalSuiteRecord>(path, cancellationToken);
            if ((current?.Generation ?? 0) + 1 != next.Generation)
            {
                return false;
            }

            CreateDurableDirectory(_evalsRoot);
            CreateDurableDirectory(Path.Combine(_evalsRoot, next.Agent));
            CreateDurableDirectory(Path.GetDirectoryName(path)!);
            await DurableFile.WriteAtomicAsync(path, JsonSerializer.SerializeToUtf8Bytes(next, RollgateJson.Options), cancellationToken);
            return true;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>The result file is written first: a crash between the two leaves a result without its event, never an event without its result.</summary>
    public async Task RecordEvalResultAsync(EvalResult result, HistoryEvent historyEvent, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var directory = Path.Combine(Path.GetDirectoryName(SuitePath(result.Agent, result.Suite))!, "results");
            CreateDurableDirectory(_evalsRoot);
            CreateDurableDirectory(Path.Combine(_evalsRoot, result.Agent));
            CreateDurableDirectory(Path.GetDirectoryName(directory)!);
            CreateDurableDirectory(directory);
            await DurableFile.WriteAtomicAsync(Path.Combine(directory, result.Id + ".json"), JsonSerializer.SerializeToUtf8Bytes(result, RollgateJson.Options), cancellationToken);
            if (_agents.TryGetValue(result.Agent, out var files))
            {
                await DurableFile.AppendLineAsync(files.HistoryPath, JsonSerializer.SerializeToUtf8Bytes(historyEvent, RollgateJson.Options), CancellationToken.None);
                files.History.Add(historyEvent);
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    public async Task<EvalResult?> GetEvalResultAsync(string agent, string suite, string id, CancellationToken cancellationToken)
        // The id becomes a file name: anything but an id this store could have written is simply not found.
        => id.StartsWith("eval_", StringComparison.Ordinal) && id.Length > 5 && id[5..].All(char.IsAsciiLetterOrDigit)
            ? await ReadJsonAsync<EvalResult>(Path.Combine(Path.GetDirectoryName(SuitePath(agent, suite))!, "results", id + ".json"), cancellationToken)
            : null;

    private string SuitePath(string agent, string suite) => Path.Combine(_evalsRoot, agent, suite, "suite.json");

    private static async Task<T?> ReadJsonAsync<T>(string path, CancellationToken cancellationToken) where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(await System.IO.File.ReadAllBytesAsync(path, cancellationToken), RollgateJson.Options);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    private void NotifyTools()
    {
        Action[] watchers;
        lock (_toolWatchers)
        {
            watchers = [.. _toolWatchers];
        }

        foreach (var watcher in watchers)
        {
            try
            {
                watcher();
            }
            catch (Exception)
            {
                // As for agents: a committed change stays committed.
            }
        }
    }

    /// <summary>A new directory's entry in its parent must reach the disk too, or a power loss can drop the whole agent.</summary>
    private static void CreateDurableDirectory(string path)
    {
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path);
            DurableFile.SyncDirectory(Path.GetDirectoryName(path)!);
        }
    }

    private void Load()
    {
        Directory.CreateDirectory(_root);
        _epoch = LoadEpoch();
        foreach (var directory in Directory.EnumerateDirectories(_root))
        {
            var files = new AgentFiles(Path.GetFileName(directory), directory);
            LoadVersions(files);
            LoadRecord(files);
            _agents[files.Name] = files;
        }

        if (Directory.Exists(_toolsRoot))
        {
            foreach (var directory in Directory.EnumerateDirectories(_toolsRoot))
            {
                var files = new ToolFiles(directory);
                LoadTool(files);
                _tools[Path.GetFileName(directory)] = files;
            }
        }
    }

    private static void LoadTool(ToolFiles files)
    {
        if (System.IO.File.Exists(files.ToolPath + ".tmp"))
        {
            System.IO.File.Delete(files.ToolPath + ".tmp");
        }

        if (!System.IO.File.Exists(files.ToolPath))
        {
            return;
        }

        var document = JsonSerializer.Deserialize<ToolDocument>(System.IO.File.ReadAllBytes(files.ToolPath), RollgateJson.Options)!;
        files.Record = document.Record;
        files.History.AddRange(ReadHistory(files.HistoryPath));
        if (files.History.Count == 0 || files.History[^1].Id != document.LastEvent.Id)
        {
            using var stream = new FileStream(files.HistoryPath, FileMode.Append, FileAccess.Write);
            stream.Write(JsonSerializer.SerializeToUtf8Bytes(document.LastEvent, RollgateJson.Options));
            stream.Write("\n"u8);
            stream.Flush(flushToDisk: true);
            files.History.Add(document.LastEvent);
        }
    }

    private string LoadEpoch()
    {
        if (System.IO.File.Exists(_epochPath))
        {
            return System.IO.File.ReadAllText(_epochPath).Trim();
        }

        var epoch = Guid.NewGuid().ToString("N");
        var temp = _epochPath + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            stream.Write(System.Text.Encoding.ASCII.GetBytes(epoch));
            stream.Flush(flushToDisk: true);
        }

        System.IO.File.Move(temp, _epochPath, overwrite: true);
        DurableFile.SyncDirectory(Path.GetDirectoryName(_epochPath)!);
        return epoch;
    }

    private static void LoadVersions(AgentFiles files)
    {
        if (!Directory.Exists(files.VersionsDirectory))
        {
            return;
        }

        foreach (var leftover in Directory.EnumerateFiles(files.VersionsDirectory, "*.tmp"))
        {
            System.IO.File.Delete(leftover);
        }

        foreach (var path in Directory.EnumerateFiles(files.VersionsDirectory, "*.json"))
        {
            var version = JsonSerializer.Deserialize<AgentVersion>(System.IO.File.ReadAllBytes(path), RollgateJson.Options)!;
            files.Versions[version.Number] = version;
            files.ByHash[version.Hash] = version.Number;
        }
    }

    private static void LoadRecord(AgentFiles files)
    {
        if (System.IO.File.Exists(files.AgentPath + ".tmp"))
        {
            System.IO.File.Delete(files.AgentPath + ".tmp"); // an uncommitted change: the rename never happened
        }

        if (!System.IO.File.Exists(files.AgentPath))
        {
            return;
        }

        var document = JsonSerializer.Deserialize<AgentDocument>(System.IO.File.ReadAllBytes(files.AgentPath), RollgateJson.Options)!;
        files.Record = document.Record;
        files.History.AddRange(ReadHistory(files.HistoryPath));
        foreach (var time in ReadApplyTimes(files.TimingsPath))
        {
            files.ApplyTimes[time.EventId] = time.ApplyMs;
        }

        if (files.History.Count == 0 || files.History[^1].Generation < document.Record.Generation)
        {
            using var stream = new FileStream(files.HistoryPath, FileMode.Append, FileAccess.Write);
            stream.Write(JsonSerializer.SerializeToUtf8Bytes(document.LastEvent, RollgateJson.Options));
            stream.Write("\n"u8);
            stream.Flush(flushToDisk: true);
            files.History.Add(document.LastEvent);
        }
    }

    /// <summary>Reads the log, truncating a torn final line left by a crash mid-append.</summary>
    private static List<HistoryEvent> ReadHistory(string path)
    {
        var events = new List<HistoryEvent>();
        if (!System.IO.File.Exists(path))
        {
            return events;
        }

        var bytes = System.IO.File.ReadAllBytes(path);
        var position = 0;
        var goodLength = 0;
        while (position < bytes.Length)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', position);
            if (end < 0)
            {
                break; // no newline: the last append did not finish
            }

            try
            {
                events.Add(JsonSerializer.Deserialize<HistoryEvent>(bytes.AsSpan(position, end - position), RollgateJson.Options)!);
                goodLength = end + 1;
            }
            catch (JsonException)
            {
                break;
            }

            position = end + 1;
        }

        if (goodLength < bytes.Length)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
            stream.SetLength(goodLength);
            stream.Flush(flushToDisk: true);
        }

        return events;
    }

    /// <summary>Apply-time annotations; a torn last line (crash mid-append) is simply skipped.</summary>
    private static IEnumerable<ApplyTime> ReadApplyTimes(string path)
    {
        if (!System.IO.File.Exists(path))
        {
            yield break;
        }

        foreach (var line in System.IO.File.ReadLines(path))
        {
            ApplyTime? time = null;
            try
            {
                time = JsonSerializer.Deserialize<ApplyTime>(line, RollgateJson.Options);
            }
            catch (JsonException)
            {
            }

            if (time is not null)
            {
                yield return time;
            }
        }
    }

    private sealed record ApplyTime(string EventId, double ApplyMs);

    private sealed record AgentDocument(AgentRecord Record, HistoryEvent LastEvent);

    /// <summary>A tool's last committed change: its record (null once deleted) and that change's event.</summary>
    private sealed record ToolDocument(ToolRecord? Record, HistoryEvent LastEvent);

    private sealed class ToolFiles(string directory)
    {
        public string Directory { get; } = directory;
        public string ToolPath => Path.Combine(Directory, "tool.json");
        public string HistoryPath => Path.Combine(Directory, "history.jsonl");

        public volatile ToolRecord? Record;
        public readonly List<HistoryEvent> History = [];
    }

    private sealed class AgentFiles(string name, string directory)
    {
        public string Name { get; } = name;
        public string Directory { get; } = directory;
        public string AgentPath => Path.Combine(Directory, "agent.json");
        public string HistoryPath => Path.Combine(Directory, "history.jsonl");
        public string VersionsDirectory => Path.Combine(Directory, "versions");
        public string TimingsPath => Path.Combine(Directory, "apply-times.jsonl");
        public string VersionPath(int number) => Path.Combine(VersionsDirectory, $"{number:D6}.json");

        public volatile AgentRecord? Record;
        public readonly List<HistoryEvent> History = [];
        public readonly ConcurrentDictionary<string, double> ApplyTimes = new(StringComparer.Ordinal);
        public readonly ConcurrentDictionary<int, AgentVersion> Versions = new();
        public readonly ConcurrentDictionary<string, int> ByHash = new(StringComparer.Ordinal);
    }
}
