using System.Diagnostics;
using System.Text;
using LoraMerge.Diagnostics;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace LoraMerge.Tasks.Tool;

/// <summary>
/// A task that runs the <c>lora-merge</c> tool (<c>dotnet LoraMerge.Cli.dll ...</c>) as a child process, as dotnet/sdk
/// runs ILLink: the child writes progress lines and MSBuild-form diagnostics (code, file, <c>&lt;LoraAdapter&gt;</c>
/// line), which <see cref="ToolTask"/> logs as they come. Cancelable: Ctrl+C asks the child to stop (SIGTERM where there
/// are signals) and kills it after <see cref="CancelGrace"/>.
/// </summary>
public abstract class LoraToolTask : ToolTask
{
    private string? _host;

    /// <summary>Where the dotnet host is looked for (tests give an environment of their own).</summary>
    internal HostSearchEnvironment HostSearch { get; set; } = HostSearchEnvironment.Current;

    /// <summary>How long a cancelled child has to clean up before it is killed (tests shorten it).</summary>
    internal TimeSpan CancelGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>True once Ctrl+C reached the task.</summary>
    protected volatile bool Cancelled;

    /// <summary><c>$(LoraToolAssembly)</c>: the <c>lora-merge</c> tool's dll, run with the dotnet host.</summary>
    [Required]
    public string ToolAssembly { get; set; } = "";

    /// <summary><c>$(DOTNET_HOST_PATH)</c>, set by the dotnet CLI; empty finds one (<see cref="DotNetHost"/>).</summary>
    public string? DotNetHostPath { get; set; }

    /// <summary>The child's process id once it announced itself (<c>(process N)</c>); 0 when no child ran.</summary>
    [Output]
    public int ToolProcessId { get; protected set; }

    /// <summary><c>$(MSBuildProjectFullPath)</c>: the project the build is for (the task node's file is the targets file that calls the task).</summary>
    public string? ProjectFullPath { get; set; }

    protected string ProjectFile => string.IsNullOrEmpty(ProjectFullPath) ? BuildEngine?.ProjectFileOfTaskNode ?? "" : ProjectFullPath!;

    protected override string ToolName => DotNetHost.FileName;

    // Progress and the child's other lines are for normal verbosity; the one line per model that a default build shows
    // is the summary (LogSummary). Errors and warnings are parsed from the canonical form whatever the importance.
    protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.Normal;
    protected override MessageImportance StandardErrorLoggingImportance => MessageImportance.High;

    protected override Encoding StandardOutputEncoding => Encoding.UTF8;
    protected override Encoding StandardErrorEncoding => Encoding.UTF8;

    protected override string GenerateFullPathToTool() => _host ?? ToolName;

    protected override bool ValidateParameters()
    {
        if (!File.Exists(ToolAssembly))
        {
            Log.LogError(null, ErrorCodes.InvalidProperty, null, ProjectFile, 0, 0, 0, 0,
                $"LoraToolAssembly=\"{ToolAssembly}\" does not exist; it names the lora-merge tool (LoraMerge.Cli.dll) that describes and merges models out of process.");
            return false;
        }
        _host = string.IsNullOrEmpty(ToolPath) ? DotNetHost.Find(DotNetHostPath, HostSearch) : Path.Combine(ToolPath, ToolExe);
        if (_host is null)
        {
            Log.LogError(null, ErrorCodes.DotNetHostNotFound, null, ProjectFile, 0, 0, 0, 0,
                $"LoraMerge runs its tool with the dotnet host, and none was found: DOTNET_HOST_PATH is not set, and there is no {DotNetHost.FileName} in DOTNET_ROOT, on PATH or in the default install folder. Install the .NET 10 runtime or SDK, or set DOTNET_HOST_PATH to the dotnet executable.");
            return false;
        }
        return true;
    }

    /// <summary>The child reports its own failures in MSBuild's form; only a silent failure needs the generic error.</summary>
    protected override bool HandleTaskExecutionErrors()
    {
        if (Log.HasLoggedErrors) return false;
        return base.HandleTaskExecutionErrors();
    }

    /// <summary>Ctrl+C: the child is asked to stop cleanly first; it is killed if it is still running after a grace period.</summary>
    public override void Cancel()
    {
        Cancelled = true;
        if (ToolProcessId > 0 && ChildSignals.TryTerminate(ToolProcessId))
        {
            System.Threading.Tasks.Task.Delay(CancelGrace).ContinueWith(_ => KillChild(), System.Threading.Tasks.TaskScheduler.Default);
            return;
        }
        KillChild();
    }

    private void KillChild() => base.Cancel();

    protected override ProcessStartInfo GetProcessStartInfo(string pathToTool, string commandLineCommands, string responseFileSwitch)
    {
        var info = base.GetProcessStartInfo(pathToTool, commandLineCommands, responseFileSwitch);
        // The child's messages are the build's log, never a terminal's: no colours, no prompts.
        info.EnvironmentVariables["DOTNET_NOLOGO"] = "1";
        info.EnvironmentVariables["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        return info;
    }

    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        if (LoraMerge.Contracts.ToolOutput.TryParseSummary(singleLine, out var model, out var text))
        {
            LogSummary(SummaryLine(model, text));
            return;
        }
        const string processMarker = "(process ";
        var marker = singleLine.LastIndexOf(processMarker, StringComparison.Ordinal);
        if (marker >= 0 && singleLine.StartsWith("LoraMerge: ", StringComparison.Ordinal)
            && int.TryParse(singleLine.Substring(marker + processMarker.Length).TrimEnd(')'), out var id))
        {
            ToolProcessId = id;
        }
        base.LogEventsFromTextOutput(singleLine, messageImportance);
    }

    /// <summary>The line a build shows for a model's summary from the child.</summary>
    protected virtual string SummaryLine(string model, string text) => "LoraMerge: " + text;

    /// <summary>
    /// Logs a line at high importance as the terminal logger's immediate message (the extended type <c>TLTESTOUTPUT</c>,
    /// which <c>dotnet test</c>'s task uses for the same purpose): the terminal logger shows plain messages only at detailed
    /// verbosity, so this is the one way a task's line reaches it at the default verbosity. Other loggers see a
    /// high-importance message. Hosts whose MSBuild predates extended events (before 17.3) get the plain message.
    /// </summary>
    private void LogSummary(string line)
    {
        try
        {
            LogImmediate(line);
        }
        catch (Exception e) when (e is TypeLoadException || e is MissingMethodException)
        {
            Log.LogMessage(MessageImportance.High, line);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void LogImmediate(string line) =>
        BuildEngine.LogMessageEvent(new ExtendedBuildMessageEventArgs("TLTESTOUTPUT", line, null, nameof(LoraMerge), MessageImportance.High));

    /// <summary>Runs the tool once more, for a short job (e.g. <c>remove-stale</c>), logging its output; false when it could not run.</summary>
    protected bool RunToolOnce(string arguments)
    {
        if (_host is null) return false;
        var start = new ProcessStartInfo(_host, $"\"{ToolAssembly}\" {arguments}")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            foreach (var line in output.Split(new[] { '\n' }, StringSplitOptions.RemoveEmptyEntries))
                Log.LogMessage(MessageImportance.High, line.TrimEnd('\r'));
            return process.ExitCode == 0;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is IOException)
        {
            Log.LogMessage(MessageImportance.High, $"LoraMerge: could not run {ToolAssembly}: {e.Message}");
            return false;
        }
    }
}
