using System.Runtime.InteropServices;

namespace LoraMerge.FileSystem;

/// <summary>What kind of thing a path names.</summary>
internal enum FileKind
{
    RegularFile,
    Directory,
    SymbolicLink,
    Other,
}

/// <summary>
/// What a path names on disk: its device and inode (Linux, through <c>statx</c>), the identity git and SQLite compare
/// rather than the path's text, and its kind. Null where the OS call is not available or the path does not exist.
/// </summary>
/// <param name="ChangeTime">The inode's change time (ctime, ns since 1970): changes with every write and every metadata
/// change, and unlike the modification time cannot be set back by a program.</param>
internal readonly partial record struct FileIdentity(ulong Device, ulong Inode, FileKind Kind, long ChangeTime)
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxNlink = 0x4;
    private const uint StatxCtime = 0x80;
    private const uint StatxIno = 0x100;

    /// <param name="followLinks">False to describe a symbolic link itself rather than what it points to.</param>
    public static FileIdentity? Of(string path, bool followLinks = true)
    {
        if (!OperatingSystem.IsLinux())
            return null;
        Span<byte> buffer = stackalloc byte[256];
        unsafe
        {
            fixed (byte* b = buffer)
            {
                if (Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxType | StatxCtime | StatxIno, b) != 0)
                    return null;
            }
        }
        // struct statx: stx_mode at 28, stx_ino at 32, stx_ctime (tv_sec, tv_nsec) at 96, stx_dev_major and
        // stx_dev_minor at 136 and 140 (the same on every architecture).
        int type = BitConverter.ToUInt16(buffer[28..]) & 0xF000;
        var kind = type switch
        {
            0x8000 => FileKind.RegularFile,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.SymbolicLink,
            _ => FileKind.Other,
        };
        ulong inode = BitConverter.ToUInt64(buffer[32..]);
        ulong device = ((ulong)BitConverter.ToUInt32(buffer[136..]) << 32) | BitConverter.ToUInt32(buffer[140..]);
        long changeTime = BitConverter.ToInt64(buffer[96..]) * 1_000_000_000 + BitConverter.ToUInt32(buffer[104..]);
        return new FileIdentity(device, inode, kind, changeTime);
    }

    /// <summary>How many names (hard links) the file has; null where it cannot be told.</summary>
    public static int? LinkCount(string path)
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

    /// <summary>The same file or folder (device and inode), whatever its kind.</summary>
    public bool IsSameAs(FileIdentity other) => Device == other.Device && Inode == other.Inode;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int directory, string path, int flags, uint mask, byte* buffer);
}
