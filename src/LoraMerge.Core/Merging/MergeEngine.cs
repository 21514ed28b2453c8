using System.Diagnostics;
using LoraMerge.Diagnostics;
using LoraMerge.FileSystem;
using LoraMerge.Provenance;
using LoraMerge.Store;

namespace LoraMerge.Merging;

/// <summary>The result of a completed merge.</summary>
public sealed record MergeResult(string OutputDirectory, IReadOnlyList<LoraWarning> Warnings, TimeSpan Elapsed, long BytesWritten)
{
    /// <summary>The merge store's entry the output was linked from (nothing computed), or null when it was merged.</summary>
    public string? StoreEntry { get; init; }
}

/// <summary>Merges PEFT LoRA adapters into a Hugging Face base model folder, streaming, exactly as PEFT does.</summary>
public static class MergeEngine
{
    /// <summary>
    /// Removes the temporary folders that merges no longer running (killed) left beside <paramref name="outputDirectory"/>;
    /// a running merge's stay. Every merge does this itself before it starts.
    /// </summary>
    public static void RemoveStaleTemporaries(string outputDirectory) => OutputFolder.RemoveStaleTemporaries(outputDirectory);

    /// <summary>Preflight from file headers only: every check of <see cref="Merge"/> without reading weights.</summary>
    public static MergePlan Plan(MergeOptions options, Action<LoraWarning>? onWarning = null) =>
        MergePlanner.Create(options, onWarning, new MergeProvenance());

    /// <summary>
    /// Plans, then writes the merged model folder: into a temp folder beside the target, renamed into place at the end.
    /// On failure or cancellation the temp folder is removed and any previous output is left as it was.
    /// <paramref name="onInfo"/> receives informational messages (today one: that the merge runs on a CUDA device).
    /// </summary>
    public static MergeResult Merge(
        MergeOptions options,
        IProgress<MergeProgress>? progress = null,
        Action<LoraWarning>? onWarning = null,
        CancellationToken cancellationToken = default,
        Action<string>? onInfo = null)
    {
        var clock = Stopwatch.StartNew();
        var warnings = new List<LoraWarning>();
        void Warn(LoraWarning w)
        {
            warnings.Add(w);
            onWarning?.Invoke(w);
        }

        var provenance = new MergeProvenance();
        var plan = MergePlanner.Create(options, Warn, provenance);
        IFileSync sync = options.Durable ? OsFileSync.Instance : NoFileSync.Instance;
        var store = options.Store is { } storeDirectory ? new MergeStore(storeDirectory, sync) : null;
        if (store is not null && LinkFromStore(store, plan, provenance, options, sync, Warn, cancellationToken) is { } linked)
            return new MergeResult(linked.OutputDirectory, warnings, clock.Elapsed, 0) { StoreEntry = linked.Entry };
        using var backend = MergeBackends.Resolve(options.Backend, onInfo);
        cancellationToken.ThrowIfCancellationRequested();
        using var output = OutputFolder.Create(options.OutputDirectory, options.Overwrite, sync);
        var run = new MergeRun(plan, provenance, output, progress, cancellationToken, clock);
        try
        {
            run.WriteAll(backend);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw OutputErrors.From(e, output.FinalPath);
        }
        foreach (var w in run.RoundedAwayWarnings())
            Warn(w);
        if (output.Commit() is { } leftover)
            Warn(leftover);
        provenance.RememberOutputs(output.FinalPath);
        if (store is not null)
            AddToStore(store, plan, provenance, output.FinalPath, onInfo, cancellationToken);
        return new MergeResult(output.FinalPath, warnings, clock.Elapsed, plan.TotalBytes);
    }

    /// <summary>When the store holds this merge: links it into the output folder (which then replaces any previous one).</summary>
    private static (string OutputDirectory, string Entry)? LinkFromStore(
        MergeStore store, MergePlan plan, MergeProvenance provenance, MergeOptions options, IFileSync sync, Action<LoraWarning> warn, CancellationToken cancellationToken)
    {
        try
        {
            if (store.Candidate(plan, provenance) is not { } entry)
                return null;
            using var _ = store.Lock(cancellationToken);
            // Entries appear by rename and go only under the lock: present now, it stays until the links are made.
            if (!Directory.Exists(entry))
                return null;
            string finalPath;
            using (var output = OutputFolder.Create(options.OutputDirectory, options.Overwrite, sync))
            {
                MergeStore.LinkInto(entry, output);
                if (output.Commit() is { } leftover)
                    warn(leftover);
                finalPath = output.FinalPath;
            }
            store.RemoveUnused();
            return (finalPath, entry);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw OutputErrors.From(e, options.OutputDirectory);
        }
    }

    /// <summary>Adds a finished merge to the store; a store that cannot take it costs the next build a merge, never this one.</summary>
    private static void AddToStore(MergeStore store, MergePlan plan, MergeProvenance provenance, string outputDirectory, Action<string>? onInfo, CancellationToken cancellationToken)
    {
        try
        {
            var entry = store.EntryFor(plan, provenance);
            using var _ = store.Lock(cancellationToken);
            if (!store.Add(entry, outputDirectory))
                onInfo?.Invoke($"the merge store {store.Directory} is on another file system than the output; nothing was added to it.");
            store.RemoveUnused();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            onInfo?.Invoke($"the merge could not be added to the merge store {store.Directory}: {e.Message}");
        }
    }
}
