using Rollgate.Rules.Evaluation;

namespace Rollgate.Tests.Rules.Evaluation;

/// <summary>The rule memory contract for the file store's companion: another instance is the same process restarted.</summary>
public sealed class FileRuleMemoryStoreTests : RuleMemoryStoreContractTests
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "rollgate-memory-" + Guid.NewGuid().ToString("N"));

    protected override Task<IRuleMemoryStore> CreateStoreAsync() => Task.FromResult<IRuleMemoryStore>(new FileRuleMemoryStore(_dataDir));

    protected override Task<IRuleMemoryStore> OpenAnotherAsync() => CreateStoreAsync();

    protected override Task WriteGarbageAsync(string agent)
    {
        Directory.CreateDirectory(Path.Combine(_dataDir, "rule-memory"));
        return File.WriteAllTextAsync(Path.Combine(_dataDir, "rule-memory", agent + ".json"), "{\"subject\":");
    }

    public override Task DisposeAsync()
    {
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }

        return Task.CompletedTask;
    }
}
