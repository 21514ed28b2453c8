using System;
using System.Collections.Generic;
using System.IO;

namespace LoraMerge.Contracts;

/// <summary>
/// The files of a model or adapter folder that a merge reads: every file in the folder root but dot files. The task
/// stamps them (no-op builds start no process) and the describe step lists them as the merge's inputs.
/// </summary>
internal static class InputFiles
{
    public static List<string> InFolder(string directory)
    {
        var files = new List<string>();
        if (directory.Length == 0 || !Directory.Exists(directory)) return files;
        foreach (var path in Directory.EnumerateFiles(directory))
        {
            if (Path.GetFileName(path).StartsWith(".", StringComparison.Ordinal)) continue;
            files.Add(path);
        }
        files.Sort(StringComparer.Ordinal);
        return files;
    }
}
