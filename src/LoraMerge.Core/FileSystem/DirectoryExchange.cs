using System.Runtime.InteropServices;

namespace LoraMerge.FileSystem;

/// <summary>Swaps two directory entries in one step (Linux <c>renameat2(RENAME_EXCHANGE)</c>): at no moment is either name missing.</summary>
internal static partial class DirectoryExchange
{
    private const int AtFdCwd = -100;
    private const uint RenameExchange = 2;

    /// <returns>False where the OS or the file system cannot exchange (then nothing was changed).</returns>
    public static bool TryExchange(string first, string second)
    {
        if (!OperatingSystem.IsLinux())
            return false;
        return RenameAt2(AtFdCwd, first, AtFdCwd, second, RenameExchange) == 0;
    }

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int oldDirectory, string oldPath, int newDirectory, string newPath, uint flags);
}
