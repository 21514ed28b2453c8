using System.Diagnostics;
using LoraMerge.Diagnostics;
using LoraMerge.Provenance;

namespace LoraMerge.Merging;

/// <summary>The result of a completed merge.</summary>
public sealed record MergeResult(string OutputDirectory, IReadOnlyList<LoraWarning> Warnings, TimeSpan Elapsed, long BytesWritten);

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
        using var backend = MergeBackends.Resolve(options.Backend, onInfo);
        cancellationToken.ThrowIfCancellationRequested();
        using var output = OutputFolder.Create(options.OutputDirectory, options.Overwrite,
            options.Durable ? FileSystem.OsFileSync.Instance : FileSystem.NoFileSync.Instance);
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
        return new MergeResult(output.FinalPath, warnings, clock.Elapsed, plan.TotalBytes);
    }
}
