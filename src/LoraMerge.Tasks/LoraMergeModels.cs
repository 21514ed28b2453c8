using System.Globalization;
using LoraMerge.Diagnostics;
using LoraMerge.Merging;
using LoraMerge.Tasks.Describe;
using LoraMerge.Tasks.Items;
using LoraMerge.Tasks.Logging;
using LoraMerge.Tasks.Merging;
using Microsoft.Build.Framework;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace LoraMerge.Tasks;

/// <summary>
/// Merges the models the describe step found (<c>LoraModel</c> items) into their folders under <c>obj/.../lora/models/</c>.
/// The target runs it only for models whose inputs changed. Cancelable: Ctrl+C stops the merge promptly, and a failed
/// or cancelled merge leaves no output folder that looks complete.
/// </summary>
public sealed class LoraMergeModels : MSBuildTask, ICancelableTask
{
    private readonly CancellationTokenSource _cancellation = new();

    /// <summary>The <c>@(LoraModel)</c> items to merge.</summary>
    [Required]
    public ITaskItem[] Models { get; set; } = [];

    /// <summary><c>$(LoraMergeBackend)</c>: auto, cpu or cuda.</summary>
    public string? Backend { get; set; }

    /// <summary><c>$(LoraMergeThreads)</c>: 0 for all cores.</summary>
    public string? Threads { get; set; }

    /// <summary>Seconds between progress messages of one model.</summary>
    public double ProgressInterval { get; set; } = 2;

    public void Cancel() => _cancellation.Cancel();

    public override bool Execute()
    {
        var errors = new List<ItemError>();
        var (backend, threads) = ProjectSettings.Read(Backend, Threads, BuildEngine?.ProjectFileOfTaskNode ?? "", errors);
        foreach (var error in errors) Log.LogItemError(error);
        if (errors.Count > 0) return false;

        foreach (var model in Models)
        {
            if (!MergeModel(model, backend, threads)) break;
        }
        return !Log.HasLoggedErrors;
    }

    /// <summary>Returns false when the build was cancelled, so the remaining models are not started.</summary>
    private bool MergeModel(ITaskItem model, MergeBackendKind backend, int threads)
    {
        var name = ModelItem.Name(model);
        var subject = $"Model '{name}'";
        var location = ModelItem.Location(model);
        var options = ModelItem.ToOptions(model, backend, threads);
        Log.LogMessage(MessageImportance.High,
            $"LoraMerge: merging {options.Adapters.Count} adapter(s) into model '{name}' -> {options.OutputDirectory}");

        // The describe step already reported the preflight's warnings for this model.
        var alreadyReported = PlanWarnings.Load(model.GetMetadata(ModelItem.WarningsFile)).ToHashSet();
        try
        {
            var result = MergeEngine.Merge(
                options,
                new MergeProgressLogger(Log, name, TimeSpan.FromSeconds(ProgressInterval)),
                warning =>
                {
                    if (!alreadyReported.Contains(warning)) Log.LogLoraWarning(warning, location, subject);
                },
                _cancellation.Token,
                onInfo: message => Log.LogMessage(MessageImportance.High, $"LoraMerge: model '{name}': {message}"));
            Log.LogMessage(MessageImportance.High, string.Create(CultureInfo.InvariantCulture,
                $"LoraMerge: model '{name}' merged: {result.BytesWritten / 1e6:F1} MB written in {result.Elapsed.TotalSeconds:F1} s"));
            return true;
        }
        catch (LoraException exception)
        {
            Log.LogLoraError(exception, location, subject);
            RemoveStaleOutput(options.OutputDirectory);
            return !_cancellation.IsCancellationRequested;
        }
        catch (OperationCanceledException)
        {
            Log.LogError(null, ErrorCodes.Cancelled, null, location.File, location.Line, location.Column, 0, 0,
                $"{subject}: the merge was cancelled; no merged model was written.");
            RemoveStaleOutput(options.OutputDirectory);
            return false;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Log.LogError(null, ErrorCodes.OutputNotWritable, null, options.OutputDirectory, 0, 0, 0, 0,
                $"{subject}: the merged model could not be written: {exception.Message}");
            RemoveStaleOutput(options.OutputDirectory);
        }
        return !_cancellation.IsCancellationRequested;
    }

    /// <summary>A previous merge's folder must not survive a failed one and be shipped as if current.</summary>
    private void RemoveStaleOutput(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Log.LogMessage(MessageImportance.High, $"LoraMerge: could not remove the previous merged folder {directory}: {exception.Message}");
        }
    }
}
