using Rollgate.Stores;
using Rollgate.Stores.File;

namespace Rollgate.Hosting;

/// <summary>Opens the store named by <c>Rollgate:Store</c>.</summary>
public static class StoreFactory
{
    public static IRollgateStore Create(RollgateOptions options, IServiceProvider services) => options.Store switch
    {
        "file" => FileStore.Open(options.DataDir),
        _ => throw new InvalidOperationException($"Rollgate:Store '{options.Store}' must be 'file' or 'redis'"),
    };
}
