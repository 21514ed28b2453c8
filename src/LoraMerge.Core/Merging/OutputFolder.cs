using LoraMerge.Diagnostics;

namespace LoraMerge.Merging;

/// <summary>
/// The merge's output is built in a hidden temp folder beside the target and renamed into place only when complete,
/// so a failed or cancelled merge never leaves a folder that looks finished.
/// </summary>
internal sealed class OutputFolder : IDisposable
{
    private bool _committed;

    private OutputFolder(string finalPath, string tempPath)
    {
        FinalPath = finalPath;
        TempPath = tempPath;
    }

    public string FinalPath { get; }
    public string TempPath { get; }

    public string PathOf(string relativePath) => Path.Combine(TempPath, relativePath);

    public static OutputFolder Create(string outputDirectory, bool overwrite)
    {
        string finalPath = Path.GetFullPath(outputDirectory).TrimEnd(Path.DirectorySeparatorChar);
        if (!overwrite && Directory.Exists(finalPath) && Directory.EnumerateFileSystemEntries(finalPath).Any())
            throw new LoraException(ErrorCodes.OutputNotWritable,
                "The output folder exists and is not empty; choose another folder or allow overwriting it.", finalPath);
        string parent = Path.GetDirectoryName(finalPath) ?? throw new LoraException(ErrorCodes.OutputNotWritable, "The output folder has no parent folder.", finalPath);
        string temp = Path.Combine(parent, $".{Path.GetFileName(finalPath)}.tmp-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw OutputErrors.From(e, parent);
        }
        return new OutputFolder(finalPath, temp);
    }

    /// <summary>Replaces any previous output with the finished temp folder.</summary>
    public void Commit()
    {
        try
        {
            string? previous = null;
            if (Directory.Exists(FinalPath))
            {
                previous = Path.Combine(Path.GetDirectoryName(FinalPath)!, $".{Path.GetFileName(FinalPath)}.old-{Guid.NewGuid():N}");
                Directory.Move(FinalPath, previous);
            }
            Directory.Move(TempPath, FinalPath);
            _committed = true;
            if (previous is not null)
                Directory.Delete(previous, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw OutputErrors.From(e, FinalPath);
        }
    }

    public void Dispose()
    {
        if (_committed)
            return;
        try
        {
            if (Directory.Exists(TempPath))
                Directory.Delete(TempPath, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the folder name starts with a dot and ends in .tmp-<id>, so it never looks like a model.
        }
    }
}
