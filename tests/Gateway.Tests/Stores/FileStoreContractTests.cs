using Rollgate.Stores;
using Rollgate.Stores.File;

namespace Rollgate.Tests.Stores;

/// <summary>The store contract against the file store, each test in its own temporary DataDir.</summary>
public sealed class FileStoreContractTests : StoreContractTests
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "rollgate-filestore-" + Guid.NewGuid().ToString("N"));

    protected override Task<IRollgateStore> CreateStoreAsync() => Task.FromResult<IRollgateStore>(FileStore.Open(_dataDir));

    protected override async Task<IRollgateStore> ReopenStoreAsync()
    {
        await Store.DisposeAsync(); // releases the DataDir lock
        return FileStore.Open(_dataDir);
    }

    protected override Task CleanupAsync()
    {
        Directory.Delete(_dataDir, recursive: true);
        return Task.CompletedTask;
    }
}
