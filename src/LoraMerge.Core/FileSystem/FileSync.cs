using System.Runtime.InteropServices;

namespace LoraMerge.FileSystem;

/// <summary>Flushes a file's or a folder's entries to the disk (fsync), as git's <c>core.fsync</c> and SQLite do before a rename publishes them.</summary>
internal interface IFileSync
{
    void File(string path);

    void Directory(string path);
}

/// <summary>No flushing: write-back is left to the OS (<see cref="Merging.MergeOptions.Durable"/> false).</summary>
internal sealed class NoFileSync : IFileSync
{
    public static NoFileSync Instance { get; } = new();

    public void File(string path)
    {
    }

    public void Directory(string path)
    {
    }
}

/// <summary>The OS's fsync: <c>FileStream.Flush(true)</c> for files, <c>open(O_DIRECTORY)</c> + <c>fsync</c> for folders (Unix).</summary>
internal sealed partial class OsFileSync : IFileSync
{
    public static OsFileSync Instance { get; } = new();

    private const int ReadOnly = 0;
    private const int DirectoryFlag = 0x10000; // O_DIRECTORY on Linux (x86-64 and arm64)

    public void File(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1, FileOptions.None);
        stream.Flush(flushToDisk: true);
    }

    public void Directory(string path)
    {
        // A folder's own entries (the names in it) need their own flush; Windows has no such call and needs none.
        if (!OperatingSystem.IsLinux())
            return;
        int fd = Open(path, ReadOnly | DirectoryFlag);
        if (fd < 0)
            throw new IOException($"Could not open folder {path} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (Fsync(fd) != 0)
                throw new IOException($"Could not flush folder {path} (errno {Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
