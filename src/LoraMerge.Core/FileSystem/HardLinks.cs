using System.Runtime.InteropServices;

namespace LoraMerge.FileSystem;

/// <summary>Hard links (Unix <c>link</c>); how many a file has is <see cref="FileIdentity.LinkCount"/>.</summary>
internal static partial class HardLinks
{
    /// <summary>
    /// Makes <paramref name="newPath"/> a second name of <paramref name="existingPath"/>; false where the OS or the file
    /// system cannot (another device, no link support, not Unix), and the caller copies instead.
    /// </summary>
    public static bool TryCreate(string existingPath, string newPath) =>
        !OperatingSystem.IsWindows() && Link(existingPath, newPath) == 0;

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existingPath, string newPath);
}
