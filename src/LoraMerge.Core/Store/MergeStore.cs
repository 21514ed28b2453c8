using LoraMerge.Diagnostics;
using LoraMerge.FileSystem;
using LoraMerge.Merging;
using LoraMerge.Provenance;

namespace LoraMerge.Store;

/// <summary>
/// A content-addressed folder of finished merges (docs/architecture.md, "Merge store"):
/// <c>&lt;store&gt;/&lt;fingerprint&gt;/&lt;content key&gt;/</c> holds one merge's files as hard links to the output folders
/// that use them. A merge whose key is there is linked from it instead of computed; a new merge is added to it; an entry
/// whose files no output folder links any more is removed by the next merge that uses the store.
/// </summary>
internal sealed class MergeStore(string directory, IFileSync sync)
{
    private const string LockFileName = ".lock";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(10);

    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>
    /// Holds the store for one lookup-and-link or add (never for a merge): other processes merging into the same store
    /// (two configurations built at once) wait here.
    /// </summary>
    public IDisposable Lock(CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = Path.Combine(Directory, LockFileName);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (waited.Elapsed < LockTimeout)
            {
                cancellationToken.WaitHandle.WaitOne(50);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>
    /// Where this plan's merge would be, or null when the store has no entry with the plan's fingerprint (a miss decided
    /// without the content key, so without hashing the base). Computed outside the lock: the key may hash the inputs.
    /// </summary>
    public string? Candidate(MergePlan plan, MergeProvenance provenance) =>
        System.IO.Directory.Exists(Path.Combine(Directory, plan.Fingerprint)) ? EntryFor(plan, provenance) : null;

    /// <summary>The entry of this plan's merge: <c>&lt;store&gt;/&lt;fingerprint&gt;/&lt;content key&gt;</c>.</summary>
    public string EntryFor(MergePlan plan, MergeProvenance provenance) =>
        Path.Combine(Directory, plan.Fingerprint, provenance.ContentKey(plan));

    /// <summary>Fills <paramref name="output"/>'s temp folder from <paramref name="entry"/>: hard links, copies where links are impossible.</summary>
    public static void LinkInto(string entry, OutputFolder output) => Link(entry, output.TempPath, output.FinalPath);

    /// <summary>Adds the finished merge at <paramref name="outputFolder"/> as <paramref name="entryPath"/>, unless it is there already.</summary>
    /// <returns>False when the store is on another file system than the output (no links): nothing is added, as a copy would double the disk used.</returns>
    public bool Add(string entryPath, string outputFolder)
    {
        if (System.IO.Directory.Exists(entryPath))
            return true;
        using var entry = OutputFolder.Create(entryPath, overwrite: true, sync);
        var probe = Path.Combine(entry.TempPath, ".probe");
        if (!HardLinks.TryCreate(Path.Combine(outputFolder, MergeReport.FileName), probe))
            return false;
        File.Delete(probe);
        Link(outputFolder, entry.TempPath, entry.FinalPath);
        entry.Commit();
        return true;
    }

    /// <summary>Removes the entries whose files have no other name (no output folder, bin or publish folder links them).</summary>
    public void RemoveUnused()
    {
        foreach (var byFingerprint in System.IO.Directory.EnumerateDirectories(Directory))
        {
            if (Path.GetFileName(byFingerprint).StartsWith('.'))
                continue;
            foreach (var entry in System.IO.Directory.EnumerateDirectories(byFingerprint))
            {
                if (Path.GetFileName(entry).StartsWith('.') || !Unused(entry))
                    continue;
                try
                {
                    System.IO.Directory.Delete(entry, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Best effort: the next merge tries again.
                }
            }
            if (!System.IO.Directory.EnumerateFileSystemEntries(byFingerprint).Any())
                System.IO.Directory.Delete(byFingerprint);
        }
    }

    private static bool Unused(string entry) =>
        System.IO.Directory.EnumerateFiles(entry)
            .Where(f => Path.GetFileName(f) != MergeReport.FileName)
            .All(f => FileIdentity.LinkCount(f) == 1);

    /// <summary>
    /// Every file of <paramref name="from"/> into <paramref name="to"/> (a temp folder that becomes
    /// <paramref name="toFinal"/>): hard links, copies where links are impossible; the report is rewritten for its new place.
    /// </summary>
    private static void Link(string from, string to, string toFinal)
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(from))
        {
            var name = Path.GetFileName(file);
            var target = Path.Combine(to, name);
            if (name == MergeReport.FileName)
                MergeReport.Relocate(file, from, target, toFinal);
            else if (!HardLinks.TryCreate(file, target))
                File.Copy(file, target);
        }
    }
}
