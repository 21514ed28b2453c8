using LoraMerge.FileSystem;

namespace LoraMerge.Requests;

/// <summary>
/// Whether one path is another or lies inside it. Compared by what the paths name, not by their text: a symbolic link
/// to a folder is that folder (where the OS tells a file's device and inode), so <c>--base link-to-x --out x</c> cannot
/// replace <c>x</c>. Text comparison (as the OS compares file names) remains the rule where identities are unknown.
/// </summary>
public static class PathContainment
{
    /// <summary>Case-insensitive on Windows and macOS (their default file systems), ordinal elsewhere.</summary>
    public static StringComparison Comparison { get; } =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    public static bool IsSameOrInside(string path, string folder)
    {
        if (IsSameOrInsideByText(path, folder))
            return true;
        // The folder may not exist yet (a new --out): then nothing existing can be it or lie inside it.
        if (FileIdentity.Of(folder) is not { } target)
            return false;
        // The path as written, then (links inside it followed) the path it leads to.
        return HasAncestor(Path.GetFullPath(path), target) || (LinkResolver.Resolve(path) is { } resolved && HasAncestor(resolved, target));
    }

    /// <summary>Whether <paramref name="path"/> or a folder above it is <paramref name="target"/> on disk.</summary>
    private static bool HasAncestor(string path, FileIdentity target)
    {
        for (var current = new DirectoryInfo(path); current is not null; current = current.Parent)
        {
            if (FileIdentity.Of(current.FullName) is { } identity && identity.IsSameAs(target))
                return true;
        }
        return false;
    }

    private static bool IsSameOrInsideByText(string path, string folder)
    {
        var trimmedFolder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        var trimmedPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        return string.Equals(trimmedPath, trimmedFolder, Comparison)
            || trimmedPath.StartsWith(trimmedFolder + Path.DirectorySeparatorChar, Comparison)
            || (Path.AltDirectorySeparatorChar != Path.DirectorySeparatorChar
                && trimmedPath.StartsWith(trimmedFolder + Path.AltDirectorySeparatorChar, Comparison));
    }
}
