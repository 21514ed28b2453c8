namespace LoraMerge.Tasks.IO;

/// <summary>The files of a model or adapter folder that a merge reads: every file in the folder root but dot files.</summary>
internal static class InputFiles
{
    public static List<string> InFolder(string directory)
    {
        var files = new List<string>();
        if (!Directory.Exists(directory)) return files;
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            if (Path.GetFileName(path).StartsWith('.')) continue;
            files.Add(path);
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
