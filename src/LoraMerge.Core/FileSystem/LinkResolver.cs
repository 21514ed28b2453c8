namespace LoraMerge.FileSystem;

/// <summary>Paths with their symbolic links followed, component by component.</summary>
internal static class LinkResolver
{
    /// <summary>The full path with every link among its components followed; null when one cannot be followed.</summary>
    public static string? Resolve(string path)
    {
        try
        {
            string fullPath = Path.GetFullPath(path);
            string root = Path.GetPathRoot(fullPath)!;
            string current = root;
            foreach (var part in fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
            {
                string next = Path.Combine(current, part);
                var info = new FileInfo(next);
                current = info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target ? target.FullName : next;
            }
            return current;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
