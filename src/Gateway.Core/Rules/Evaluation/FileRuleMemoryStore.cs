using System.Collections.Concurrent;
using System.Text.Json;
using Rollgate.Json;

namespace Rollgate.Rules.Evaluation;

/// <summary>
/// Rule memory of a single-process gateway (file store): served from memory and mirrored to
/// <c>{DataDir}/rule-memory/{agent}.json</c>, so a restart carries on the <c>for</c> windows it interrupted.
/// The files are replaced atomically but not synced: a power loss can only make a window start over, never make a
/// rule act twice (which rules acted is kept with the agent's release state).
/// </summary>
public sealed class FileRuleMemoryStore(string dataDir) : IRuleMemoryStore
{
    private readonly string _directory = Path.Combine(dataDir, "rule-memory");
    private readonly ConcurrentDictionary<string, RuleMemory?> _memories = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    public Task<RuleMemory?> ReadAsync(string agent, CancellationToken cancellationToken)
        => Task.FromResult(_memories.GetOrAdd(agent, Load));

    public async Task WriteAsync(string agent, RuleMemory? memory, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var path = PathOf(agent);
            if (memory is null)
            {
                if (System.IO.File.Exists(path))
                {
                    System.IO.File.Delete(path);
                }
            }
            else
            {
                Directory.CreateDirectory(_directory);
                var temp = path + ".tmp";
                await System.IO.File.WriteAllBytesAsync(temp, JsonSerializer.SerializeToUtf8Bytes(memory, RollgateJson.Options), cancellationToken);
                System.IO.File.Move(temp, path, overwrite: true);
            }

            _memories[agent] = memory;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private RuleMemory? Load(string agent)
    {
        try
        {
            return JsonSerializer.Deserialize<RuleMemory>(System.IO.File.ReadAllBytes(PathOf(agent)), RollgateJson.Options);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            // Never written, or unreadable: the windows start over, which is what a first evaluation does anyway.
            return null;
        }
    }

    private string PathOf(string agent) => Path.Combine(_directory, agent + ".json");
}
