using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using LoraMerge.Diagnostics;
using LoraMerge.Tasks.Items;
using LoraMerge.Tasks.Tool;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace LoraMerge.Tasks;

/// <summary>
/// Merges the models the describe step found (<c>LoraModel</c> items) into their folders under
/// <c>obj/.../lora/models/</c> in a child process, <c>dotnet LoraMerge.Cli.dll merge --request FILE</c>, as dotnet/sdk runs
/// ILLink: the node that builds the app never maps the model files. The child writes progress lines and MSBuild-form
/// diagnostics (code, file, <c>&lt;LoraAdapter&gt;</c> line), which <see cref="ToolTask"/> logs as they come. The target
/// runs it only for models whose inputs changed. Cancelable: Ctrl+C asks the child to stop (SIGTERM where there are
/// signals) and a failed or cancelled merge leaves no output folder that looks complete.
/// </summary>
public sealed class LoraMergeModels : ToolTask
{
    /// <summary>How long a cancelled child has to remove its temp folder before it is killed (tests shorten it).</summary>
    internal TimeSpan CancelGrace { get; set; } = TimeSpan.FromSeconds(10);

    private volatile bool _cancelled;

    /// <summary>The <c>@(LoraModel)</c> items to merge (their <c>MergeRequest</c> metadata).</summary>
    [Required]
    public ITaskItem[] Models { get; set; } = [];

    /// <summary><c>$(LoraToolAssembly)</c>: the <c>lora-merge</c> tool's dll, run with the dotnet host.</summary>
    [Required]
    public string ToolAssembly { get; set; } = "";

    /// <summary><c>$(DOTNET_HOST_PATH)</c>, set by the dotnet CLI; empty finds the host of this runtime or on PATH.</summary>
    public string? DotNetHostPath { get; set; }

    /// <summary>The child's process id, once started (tests compare it with their own).</summary>
    [Output]
    public int ToolProcessId { get; private set; }

    protected override string ToolName => RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";

    // Progress lines and the child's own messages show at the default verbosity of dotnet build.
    protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.High;
    protected override MessageImportance StandardErrorLoggingImportance => MessageImportance.High;

    protected override Encoding StandardOutputEncoding => Encoding.UTF8;
    protected override Encoding StandardErrorEncoding => Encoding.UTF8;

    protected override string GenerateFullPathToTool() => DotNetHost.Find(DotNetHostPath, ToolName);

    protected override string GenerateCommandLineCommands()
    {
        var command = new CommandLineBuilder();
        command.AppendFileNameIfNotNull(ToolAssembly);
        command.AppendSwitch("merge");
        foreach (var model in Models) command.AppendSwitchIfNotNull("--request ", model.GetMetadata(ModelItem.MergeRequest));
        return command.ToString();
    }

    protected override bool ValidateParameters()
    {
        if (File.Exists(ToolAssembly)) return true;
        Log.LogError(null, ErrorCodes.InvalidProperty, null, BuildEngine?.ProjectFileOfTaskNode ?? "", 0, 0, 0, 0,
            $"LoraToolAssembly=\"{ToolAssembly}\" does not exist; it names the lora-merge tool (LoraMerge.Cli.dll) that merges out of process.");
        return false;
    }

    public override bool Execute()
    {
        if (Models.Length == 0) return true;
        foreach (var model in Models)
        {
            Log.LogMessage(MessageImportance.Low, $"LoraMerge: model '{ModelItem.Name(model)}': request {model.GetMetadata(ModelItem.MergeRequest)}");
        }
        var succeeded = base.Execute() && !Log.HasLoggedErrors;
        if (!succeeded && _cancelled && !Log.HasLoggedErrors)
        {
            // Killed before it could say so itself.
            var project = BuildEngine?.ProjectFileOfTaskNode ?? "";
            Log.LogError(null, ErrorCodes.Cancelled, null, project, 0, 0, 0, 0,
                $"The merge of {string.Join(", ", Models.Select(m => $"model '{ModelItem.Name(m)}'"))} was cancelled; no merged model was written.");
        }
        if (!succeeded)
        {
            // The child removes its temp folder when it can; a killed one cannot, and a stale model must not ship.
            foreach (var model in Models) RemoveStaleOutput(model.GetMetadata(ModelItem.OutputDirectory));
        }
        return succeeded;
    }

    /// <summary>The child reports its own failures in MSBuild's form; only a silent failure needs the generic error.</summary>
    protected override bool HandleTaskExecutionErrors()
    {
        if (Log.HasLoggedErrors) return false;
        return base.HandleTaskExecutionErrors();
    }

    /// <summary>Ctrl+C: the child is asked to stop cleanly first; ToolTask kills it if it is still running after a grace period.</summary>
    public override void Cancel()
    {
        _cancelled = true;
        if (ToolProcessId > 0 && ChildSignals.TryTerminate(ToolProcessId))
        {
            _ = System.Threading.Tasks.Task.Delay(CancelGrace).ContinueWith(_ => KillChild(), System.Threading.Tasks.TaskScheduler.Default);
            return;
        }
        KillChild();
    }

    private void KillChild() => base.Cancel();

    protected override ProcessStartInfo GetProcessStartInfo(string pathToTool, string commandLineCommands, string responseFileSwitch)
    {
        var info = base.GetProcessStartInfo(pathToTool, commandLineCommands, responseFileSwitch);
        // The child's messages are the build's log, never a terminal's: no colours, no prompts.
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return info;
    }

    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        const string processMarker = "(process ";
        var marker = singleLine.LastIndexOf(processMarker, StringComparison.Ordinal);
        if (marker >= 0 && singleLine.StartsWith("LoraMerge: merging ", StringComparison.Ordinal)
            && int.TryParse(singleLine.AsSpan(marker + processMarker.Length).TrimEnd(')'), out var id))
        {
            ToolProcessId = id;
        }
        base.LogEventsFromTextOutput(singleLine, messageImportance);
    }

    /// <summary>A previous merge's folder must not survive a failed one and be shipped as if current.</summary>
    private void RemoveStaleOutput(string directory)
    {
        if (directory.Length == 0) return;
        var trimmed = Path.TrimEndingDirectorySeparator(directory);
        try
        {
            if (Directory.Exists(trimmed)) Directory.Delete(trimmed, recursive: true);
            // The engine's temp folders, left behind only by a killed child (dead now, so they are stale).
            LoraMerge.Merging.MergeEngine.RemoveStaleTemporaries(trimmed);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Log.LogMessage(MessageImportance.High, $"LoraMerge: could not remove the previous merged folder {directory}: {exception.Message}");
        }
    }
}
