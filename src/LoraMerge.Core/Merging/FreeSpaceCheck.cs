using System.Runtime.InteropServices;
using LoraMerge.Diagnostics;

namespace LoraMerge.Merging;

/// <summary>
/// Refuses to start a merge that cannot be written: an output folder on a read-only volume or without write permission
/// (said as such, not as a lack of space), or one that cannot fit on the volume.
/// </summary>
internal static partial class FreeSpaceCheck
{
    private const int WriteAccess = 2; // W_OK
    private const int ReadOnlyFileSystem = 30; // EROFS
    private const int PermissionDenied = 13; // EACCES

    private const long Margin = 16L << 20;

    public static void Ensure(string outputDirectory, long bytesNeeded)
    {
        string? existing = Path.GetFullPath(outputDirectory);
        while (existing is not null && !Directory.Exists(existing))
            existing = Path.GetDirectoryName(existing);
        if (existing is null)
            return;
        if (OperatingSystem.IsLinux() && Access(existing, WriteAccess) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is ReadOnlyFileSystem or PermissionDenied)
                throw new LoraException(ErrorCodes.OutputNotWritable, errno == ReadOnlyFileSystem
                    ? $"The output folder is on a read-only file system ({existing})."
                    : $"The output folder cannot be written: permission denied on {existing}.", outputDirectory);
        }
        long available;
        try
        {
            available = new DriveInfo(existing).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return; // Unknown free space: the write itself reports a full disk.
        }
        if (available < bytesNeeded + Margin)
            throw new LoraException(ErrorCodes.InsufficientSpace,
                $"The merged model needs {Bytes(bytesNeeded)} but only {Bytes(available)} is free on the output volume.", outputDirectory);
    }

    private static string Bytes(long n) => n >= 1L << 30 ? $"{n / (double)(1L << 30):F2} GiB" : $"{n / (double)(1L << 20):F1} MiB";

    [LibraryImport("libc", EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Access(string path, int mode);
}
