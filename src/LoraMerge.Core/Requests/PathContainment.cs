namespace LoraMerge.Requests;

/// <summary>Whether one path is another or lies inside it, compared as the OS compares file names.</summary>
public static class PathContainment
{
    /// <summary>Case-insensitive on Windows and macOS (their default file systems), ordinal elsewhere.</summary>
    public static StringComparison Comparison { get; } =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    public static bool IsSameOrInside(string path, string folder)
    {
        var trimmedFolder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        var trimmedPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        return string.Equals(trimmedPath, trimmedFolder, Comparison)
            || trimmedPath.StartsWith(trimmedFolder + Path.DirectorySeparatorChar, Comparison)
            || (Path.AltDirectorySeparatorChar != Path.DirectorySeparatorChar
                && trimmedPath.StartsWith(trimmedFolder + Path.AltDirectorySeparatorChar, Comparison));
    }
}
