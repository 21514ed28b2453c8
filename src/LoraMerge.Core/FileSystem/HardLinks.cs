using System.Runtime.InteropServices;

namespace LoraMerge.FileSystem;

/// <summary>Hard links (Unix <c>link</c>) and how many names a file has (<c>statx</c>'s <c>stx_nlink</c>).</summary>
internal static partial class HardLinks
{
    private const int AtFdCwd = -100;
    private const uint StatxNlink = 0x4;

    /// <summary>
    /// Makes <paramref name="newPath"/> a second name of <paramref name="existingPath"/>; false where the OS or the file
    /// system cannot (another device, no link support, not Unix), and the caller copies instead.
    /// </summary>
    public static bool TryCreate(string existingPath, string newPath) =>
        !OperatingSystem.IsWindows() && Link(existingPath, newPath) == 0;

    /// <summary>How many names the file has; null where it cannot be told.</summary>
    public static int? Count(string path)
    {
        if (!OperatingSystem.IsLinux())
            return null;
        Span<byte> buffer = stackalloc byte[256];
        unsafe
        {
            fixed (byte* b = buffer)
            {
                if (Statx(AtFdCwd, path, 0, StatxNlink, b) != 0)
                    return null;
            }
        }
        // struct statx: stx_nlink (u32) at offset 16 on every architecture.
        return (int)BitConverter.ToUInt32(buffer[16..]);
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existingPath, string newPath);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);
}
