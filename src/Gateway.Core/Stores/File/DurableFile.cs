using System.Runtime.InteropServices;

namespace Rollgate.Stores.File;

/// <summary>Crash-safe file writes: write a temp file, fsync it, rename it over the target, fsync the directory.</summary>
internal static class DurableFile
{
    public static async Task WriteAtomicAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var temp = path + ".tmp";
        await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
        {
            await stream.WriteAsync(content, cancellationToken);
            stream.Flush(flushToDisk: true);
        }

        System.IO.File.Move(temp, path, overwrite: true);
        SyncDirectory(Path.GetDirectoryName(path)!);
    }

    public static async Task AppendLineAsync(string path, ReadOnlyMemory<byte> line, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096, FileOptions.Asynchronous);
        await stream.WriteAsync(line, cancellationToken);
        await stream.WriteAsync("\n"u8.ToArray(), cancellationToken);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Makes a rename durable: without it a crash can forget the directory entry.</summary>
    public static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        var fd = Native.open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            return;
        }

        Native.fsync(fd);
        Native.close(fd);
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);
    }
}
