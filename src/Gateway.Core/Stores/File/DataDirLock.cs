namespace Rollgate.Stores.File;

/// <summary>
/// Exclusive lock on a data directory: the file store assumes it is the only writer, so a second process
/// (or a second host in one process) on the same directory must refuse to start rather than corrupt it.
/// </summary>
public sealed class DataDirLock : IDisposable
{
    private readonly FileStream _handle;

    private DataDirLock(FileStream handle) => _handle = handle;

    public static DataDirLock Acquire(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        var path = Path.Combine(dataDir, ".lock");
        try
        {
            // On Unix, FileShare.None takes an advisory flock(LOCK_EX) that any other opener of the file sees.
            var handle = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            handle.SetLength(0);
            using var writer = new StreamWriter(handle, leaveOpen: true);
            writer.Write(Environment.ProcessId);
            writer.Flush();
            return new DataDirLock(handle);
        }
        catch (IOException ex)
        {
            throw new DataDirInUseException(
                $"The data directory '{Path.GetFullPath(dataDir)}' is in use by another Rollgate process. " +
                "Each file store needs its own Rollgate:DataDir; to share state between replicas use Rollgate:Store=redis.", ex);
        }
    }

    public void Dispose() => _handle.Dispose();
}

/// <summary>Another process holds the data directory's lock.</summary>
public sealed class DataDirInUseException(string message, Exception inner) : IOException(message, inner);
