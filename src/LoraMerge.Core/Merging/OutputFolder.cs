using LoraMerge.Diagnostics;
using LoraMerge.FileSystem;

namespace LoraMerge.Merging;

/// <summary>
/// The merge's output is built in a hidden temp folder beside the target and put in place only when complete, so a
/// failed or cancelled merge never leaves a folder that looks finished. An existing output is replaced in one step
/// (the two folders are exchanged where the OS can; at no moment is the output missing), then removed. Temp folders
/// are named after their process (<c>.&lt;name&gt;.tmp-&lt;pid&gt;-&lt;start&gt;-&lt;id&gt;</c>, a digest for a name over
/// 120 bytes): the next merge beside
/// the same output removes those of dead processes and leaves a live one's alone. The one owner of these names.
/// Durable as git and SQLite make their writes: every file and the folder are flushed to the disk before the rename
/// that publishes them, and the parent folder after it, so a power cut leaves the old or the new model, never an empty one.
/// </summary>
internal sealed class OutputFolder : IDisposable
{
    private const string TempMarker = ".tmp-";
    private const string OldMarker = ".old-";
    private readonly IFileSync _sync;
    private bool _committed;

    private OutputFolder(string finalPath, string tempPath, IFileSync sync)
    {
        FinalPath = finalPath;
        TempPath = tempPath;
        _sync = sync;
    }

    public string FinalPath { get; }
    public string TempPath { get; }

    public string PathOf(string relativePath) => Path.Combine(TempPath, relativePath);

    public static OutputFolder Create(string outputDirectory, bool overwrite, IFileSync? sync = null)
    {
        string finalPath = Path.GetFullPath(outputDirectory).TrimEnd(Path.DirectorySeparatorChar);
        if (!overwrite && Directory.Exists(finalPath) && Directory.EnumerateFileSystemEntries(finalPath).Any())
            throw new LoraException(ErrorCodes.OutputNotWritable,
                "The output folder exists and is not empty; choose another folder or allow overwriting it.", finalPath);
        string parent = Path.GetDirectoryName(finalPath) ?? throw new LoraException(ErrorCodes.OutputNotWritable, "The output folder has no parent folder.", finalPath);
        RemoveStaleTemporaries(finalPath);
        string temp = SiblingName(finalPath, TempMarker);
        try
        {
            Directory.CreateDirectory(temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw OutputErrors.From(e, parent);
        }
        return new OutputFolder(finalPath, temp, sync ?? OsFileSync.Instance);
    }

    /// <summary>
    /// Removes the temp and replaced folders that processes no longer running left beside <paramref name="outputDirectory"/>
    /// (a killed merge); those of live processes (a concurrent merge) stay. Best effort.
    /// </summary>
    public static void RemoveStaleTemporaries(string outputDirectory)
    {
        string finalPath = Path.GetFullPath(outputDirectory).TrimEnd(Path.DirectorySeparatorChar);
        string? parent = Path.GetDirectoryName(finalPath);
        if (parent is null || !Directory.Exists(parent))
            return;
        string name = NameToken(finalPath);
        foreach (var marker in new[] { TempMarker, OldMarker })
        {
            foreach (var folder in Directory.EnumerateDirectories(parent, $".{name}{marker}*"))
            {
                string rest = Path.GetFileName(folder)[(name.Length + 1 + marker.Length)..];
                int lastDash = rest.LastIndexOf('-');
                // Names from before process stamps carry no owner: no live merge can be writing them any more.
                string stamp = lastDash > 0 ? rest[..lastDash] : "";
                if (stamp.Length > 0 && ProcessStamp.IsAlive(stamp))
                    continue;
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Best effort: it is hidden and never looks like a model.
                }
            }
        }
    }

    /// <summary>Puts the finished temp folder in place of any previous output.</summary>
    /// <returns>A warning when the previous output could not be removed afterwards (the new one is in place).</returns>
    public LoraWarning? Commit()
    {
        string? previous;
        string parent = Path.GetDirectoryName(FinalPath)!;
        try
        {
            foreach (var file in Directory.EnumerateFiles(TempPath, "*", SearchOption.AllDirectories))
                _sync.File(file);
            foreach (var folder in Directory.EnumerateDirectories(TempPath, "*", SearchOption.AllDirectories))
                _sync.Directory(folder);
            _sync.Directory(TempPath);
            if (!Directory.Exists(FinalPath))
            {
                Directory.Move(TempPath, FinalPath);
                _sync.Directory(parent);
                _committed = true;
                return null;
            }
            if (DirectoryExchange.TryExchange(TempPath, FinalPath))
            {
                previous = TempPath;
            }
            else
            {
                previous = SiblingName(FinalPath, OldMarker);
                Directory.Move(FinalPath, previous);
                Directory.Move(TempPath, FinalPath);
            }
            _sync.Directory(parent);
            _committed = true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw OutputErrors.From(e, FinalPath);
        }
        try
        {
            Directory.Delete(previous, recursive: true);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new LoraWarning(ErrorCodes.PreviousOutputNotRemoved,
                $"The merged model is in place, but the previous one could not be removed ({e.Message}); it is left in {previous} and removed by the next merge here.",
                FinalPath);
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
            // Best effort: the next merge beside this output removes it (its process is gone by then).
        }
    }

    private static string SiblingName(string finalPath, string marker) =>
        Path.Combine(Path.GetDirectoryName(finalPath)!, $".{NameToken(finalPath)}{marker}{ProcessStamp.Current}-{Guid.NewGuid():N}");

    /// <summary>
    /// The output's name as its temporaries carry it: the name itself, or for a long one (whose temp name would pass the
    /// file system's 255-byte limit) a digest of it.
    /// </summary>
    private static string NameToken(string finalPath)
    {
        string name = Path.GetFileName(finalPath);
        return System.Text.Encoding.UTF8.GetByteCount(name) <= 120
            ? name
            : "h" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name)))[..32];
    }
}
