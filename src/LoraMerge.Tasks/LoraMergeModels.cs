using LoraMerge.Diagnostics;
using LoraMerge.Tasks.Items;
using LoraMerge.Tasks.Tool;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace LoraMerge.Tasks;

/// <summary>
/// Merges the models the describe step found (<c>LoraModel</c> items) into their folders under
/// <c>obj/.../lora/models/</c> in a child process, <c>dotnet LoraMerge.Cli.dll merge --request FILE</c>: the node that
/// builds the app never maps the model files. The target runs it only for models whose inputs changed. A failed or
/// cancelled merge leaves no output folder that looks complete.
/// </summary>
public sealed class LoraMergeModels : LoraToolTask
{
    /// <summary>The <c>@(LoraModel)</c> items to merge (their <c>MergeRequest</c> metadata).</summary>
    [Required]
    public ITaskItem[] Models { get; set; } = new ITaskItem[0];

    /// <summary>The models merged (or linked from the merge store) by this run; the others were up to date.</summary>
    [Output]
    public ITaskItem[] MergedModels { get; private set; } = new ITaskItem[0];

    /// <summary><c>LoraMerge: Bofh &lt;- 1 adapter, 2.47 GB in 3.1 s (models/Bofh)</c>.</summary>
    protected override string SummaryLine(string model, string text)
    {
        var item = Models.FirstOrDefault(m => ModelItem.Name(m) == model);
        var place = item is null ? "" : item.GetMetadata(ModelItem.Embed) == "true"
            ? " (embedded)"
            : $" ({item.GetMetadata(ModelItem.RelativeDirectory)})";
        return base.SummaryLine(model, text) + place;
    }

    protected override string GenerateCommandLineCommands()
    {
        var command = new CommandLineBuilder();
        command.AppendFileNameIfNotNull(ToolAssembly);
        command.AppendSwitch("merge");
        foreach (var model in Models) command.AppendSwitchIfNotNull("--request ", model.GetMetadata(ModelItem.MergeRequest));
        return command.ToString();
    }

    public override bool Execute()
    {
        if (Models.Length == 0) return true;
        foreach (var model in Models)
        {
            Log.LogMessage(MessageImportance.Low, $"LoraMerge: model '{ModelItem.Name(model)}': request {model.GetMetadata(ModelItem.MergeRequest)}");
        }
        var succeeded = base.Execute() && !Log.HasLoggedErrors;
        if (!succeeded && Cancelled && !Log.HasLoggedErrors)
        {
            // Killed before it could say so itself.
            Log.LogError(null, ErrorCodes.Cancelled, null, ProjectFile, 0, 0, 0, 0,
                $"The merge of {string.Join(", ", Models.Select(m => $"model '{ModelItem.Name(m)}'"))} was cancelled; no merged model was written.");
        }
        if (!succeeded) RemoveStaleOutputs();
        else MergedModels = Models;
        return succeeded;
    }

    /// <summary>
    /// A previous merge's folder must not survive a failed one and be shipped as if current. The child removes its temp
    /// folder when it can; a killed one cannot, so after a cancellation the tool removes what the dead child left
    /// (the engine owns the temp folders' names).
    /// </summary>
    private void RemoveStaleOutputs()
    {
        var directories = Models.Select(m => m.GetMetadata(ModelItem.OutputDirectory)).Where(d => d.Length > 0).ToList();
        foreach (var directory in directories)
        {
            var trimmed = directory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
            try
            {
                if (Directory.Exists(trimmed)) Directory.Delete(trimmed, recursive: true);
            }
            catch (Exception exception) when (exception is IOException || exception is UnauthorizedAccessException)
            {
                Log.LogMessage(MessageImportance.High, $"LoraMerge: could not remove the previous merged folder {directory}: {exception.Message}");
            }
        }
        if (Cancelled && directories.Count > 0)
        {
            var builder = new CommandLineBuilder();
            builder.AppendSwitch("remove-stale");
            foreach (var directory in directories) builder.AppendFileNameIfNotNull(directory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
            RunToolOnce(builder.ToString());
        }
    }
}
