using System.Runtime.InteropServices;

namespace LoraMerge.FileSystem;

/// <summary>
/// What a path names on disk, links followed: its device and inode (Linux, through <c>statx</c>), the identity git and
/// SQLite compare rather than the path's text. Null where the OS call is not available.
/// </summary>
internal readonly partial record struct FileIdentity(ulong Device, ulong Inode)
{
    private const int AtFdCwd = -100;
    private const uint StatxIno = 0x100;

    public static FileIdentity? Of(string path)
    {
        if (!OperatingSystem.IsLinux())
            return null;
        Span<byte> buffer = stackalloc byte[256];
        unsafe
        {
            fixed (byte* b = buffer)
            {
                if (Statx(AtFdCwd, path, 0, StatxIno, b) != 0)
                    return null;
            }
        }
        // struct statx: stx_ino at 32; stx_dev_major and stx_dev_minor at 136 and 140 (the same on every architecture).
        ulong inode = BitConverter.ToUInt64(buffer[32..]);
        ulong device = ((ulong)BitConverter.ToUInt32(buffer[136..]) << 32) | BitConverter.ToUInt32(buffer[140..]);
        return new FileIdentity(device, inode);
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);
}
