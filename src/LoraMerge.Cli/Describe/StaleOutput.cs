using LoraMerge.Merging;

namespace LoraMerge.Cli.Describe;

/// <summary>
/// After the merge task had to kill a merge (Ctrl+C without an answer, or on Windows at once): the previous merged
/// folder must not ship as if current, and the engine's temp folders of the dead process go too (the engine owns
/// their names: <see cref="MergeEngine.RemoveStaleTemporaries"/>).
/// </summary>
internal static class StaleOutput
{
    public static void Remove(string directory, CliConsole console)
    {
        var trimmed = Path.TrimEndingDirectorySeparator(directory);
        try
        {
            if (Directory.Exists(trimmed)) Directory.Delete(trimmed, recursive: true);
            MergeEngine.RemoveStaleTemporaries(trimmed);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            console.Out.WriteLine($"LoraMerge: could not remove the previous merged folder {directory}: {exception.Message}");
        }
    }
}
