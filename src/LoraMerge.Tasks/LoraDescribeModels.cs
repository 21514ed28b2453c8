using System.Text;
using LoraMerge.Contracts;
using LoraMerge.Diagnostics;
using LoraMerge.Tasks.Describe;
using LoraMerge.Tasks.Items;
using LoraMerge.Tasks.Tool;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace LoraMerge.Tasks;

/// <summary>
/// The describe step (every build, before compile). In the task: reads the <c>LoraAdapter</c> items, finds their
/// <c>&lt;LoraAdapter&gt;</c> lines, warns about unknown metadata (LORA1907), resolves their paths and writes the
/// describe request (<c>obj/.../lora/describe.json</c>). Unless its stamp (<see cref="DescribeStamp"/>) says nothing
/// changed, it then runs <c>dotnet LoraMerge.Cli.dll describe --request describe.json</c> as a child process, which
/// checks the items, groups them into models, writes each model's merge request, runs the merge's preflight from file
/// headers and writes the manifests for the generator; the MSBuild node never opens a model file. The task's outputs
/// come from the child's <see cref="DescribeResult"/>; on an up-to-date build it starts no process and repeats the
/// warnings that result recorded. Cancelable (Ctrl+C): LORA1303.
/// </summary>
public sealed class LoraDescribeModels : LoraToolTask
{
    private string _requestFile = "";

    /// <summary>The <c>@(LoraAdapter)</c> items.</summary>
    [Required]
    public ITaskItem[] Adapters { get; set; } = new ITaskItem[0];

    /// <summary><c>$(MSBuildProjectDirectory)</c>: relative paths without a defining project resolve against it.</summary>
    [Required]
    public string ProjectDirectory { get; set; } = "";

    /// <summary><c>obj/&lt;cfg&gt;/&lt;tfm&gt;/lora/</c>: manifests, caches and merged folders.</summary>
    [Required]
    public string IntermediateDirectory { get; set; } = "";

    /// <summary><c>$(LoraModelsDirectory)</c>: the folder under bin/ and publish that holds <c>&lt;Model&gt;/</c>.</summary>
    public string ModelsDirectory { get; set; } = "models";

    /// <summary><c>$(LoraMergeBackend)</c>: auto, cpu or cuda.</summary>
    public string? Backend { get; set; }

    /// <summary><c>$(LoraMergeThreads)</c>: 0 for all cores.</summary>
    public string? Threads { get; set; }

    /// <summary><c>$(LoraMergeStoreDirectory)</c> (full path) when <c>$(LoraMergeStore)</c> is true; empty for none.</summary>
    public string? StoreDirectory { get; set; }

    /// <summary>One <c>LoraModel</c> item per merged model (metadata in <see cref="ModelItem"/>).</summary>
    [Output]
    public ITaskItem[] Models { get; private set; } = new ITaskItem[0];

    /// <summary>The manifests, for <c>AdditionalFiles</c>.</summary>
    [Output]
    public ITaskItem[] Manifests { get; private set; } = new ITaskItem[0];

    /// <summary>The files of <c>Merge="false"</c> adapter folders, with <c>RelativePath</c> = <c>models/&lt;Model&gt;/&lt;file&gt;</c>.</summary>
    [Output]
    public ITaskItem[] UnmergedAdapterFiles { get; private set; } = new ITaskItem[0];

    /// <summary>The process that read the headers: the last describe's child (also on an up-to-date build, from its result).</summary>
    [Output]
    public int DescribeProcessId { get; private set; }

    /// <summary>The task's own identity (its module id), part of the request: a new task describes again.</summary>
    private static readonly string TasksIdentity = typeof(LoraDescribeModels).Assembly.ManifestModule.ModuleVersionId.ToString("N");

    protected override string GenerateCommandLineCommands()
    {
        var command = new CommandLineBuilder();
        command.AppendFileNameIfNotNull(ToolAssembly);
        command.AppendSwitch("describe");
        command.AppendSwitchIfNotNull("--request ", _requestFile);
        return command.ToString();
    }

    private bool StopIfCancelled()
    {
        if (!Cancelled) return false;
        Log.LogError(null, ErrorCodes.Cancelled, null, ProjectFile, 0, 0, 0, 0, "The build was cancelled while LoraMerge described its models.");
        return true;
    }

    public override bool Execute()
    {
        if (StopIfCancelled()) return false;
        if (Adapters.Length == 0) return true;

        var locator = new ItemLocator(ProjectFile);
        var items = new List<DescribeRequestItem>();
        var folders = new List<string>();
        foreach (var item in Adapters)
        {
            var location = locator.Locate(item);
            foreach (var (name, suggestion) in UnknownMetadata.Find(item))
            {
                Log.LogWarning(null, ErrorCodes.UnknownItemMetadata, null, location.File, location.Line, location.Column, 0, 0,
                    $"LoraAdapter '{item.ItemSpec}': metadata '{name}' is not one LoraMerge reads{(suggestion is null ? "" : $"; did you mean {suggestion}?")} (known: {string.Join(", ", UnknownMetadata.Known)}).");
            }
            // Relative paths in an item are relative to the project that wrote it.
            var defining = item.GetMetadata("DefiningProjectDirectory");
            var baseDirectory = string.IsNullOrEmpty(defining) ? ProjectDirectory : defining;
            var directory = FullPath(baseDirectory, item.ItemSpec);
            var baseModelText = item.GetMetadata(AdapterMetadata.BaseModel).Trim();
            var baseModel = baseModelText.Length == 0 ? "" : FullPath(baseDirectory, baseModelText);
            var metadata = AdapterMetadata.Known.Select(name => new KeyValuePair<string, string>(name, item.GetMetadata(name))).ToList();
            items.Add(new DescribeRequestItem(item.ItemSpec, directory, baseModel, location, metadata));
            folders.Add(directory);
            if (baseModel.Length > 0) folders.Add(baseModel);
        }

        var intermediate = FullPath(ProjectDirectory, IntermediateDirectory);
        Directory.CreateDirectory(intermediate);
        _requestFile = Path.Combine(intermediate, DescribeRequestSchema.FileName);
        var resultFile = Path.Combine(intermediate, DescribeResult.FileName);
        var stampFile = Path.Combine(intermediate, "describe.stamp");
        var request = DescribeRequestWriter.Write(TasksIdentity, ProjectFile, intermediate, ModelsDirectory, Backend, Threads, StoreDirectory, resultFile, items);
        FileContent.WriteIfDifferent(_requestFile, request);
        var stamp = DescribeStamp.Compute(request, ToolAssembly, folders);

        if (FileContent.ReadTextOrNull(stampFile) == stamp && ReadResult(resultFile) is { } previous)
        {
            Log.LogMessage(MessageImportance.Low, "LoraMerge: the models are up to date; headers not read again, no process started.");
            foreach (var warning in previous.Warnings)
                Log.LogWarning(null, warning.Code, null, warning.File, warning.Line, warning.Column, 0, 0, warning.Message);
            return SetOutputs(previous);
        }

        FileContent.DeleteIfExists(stampFile);
        if (StopIfCancelled()) return false;
        var succeeded = base.Execute() && !Log.HasLoggedErrors;
        if (!succeeded)
        {
            if (Cancelled && !Log.HasLoggedErrors) StopIfCancelled();
            return false;
        }
        if (ReadResult(resultFile) is not { } result)
        {
            Log.LogError(null, ErrorCodes.InvalidProperty, null, ProjectFile, 0, 0, 0, 0,
                $"The lora-merge tool ({ToolAssembly}) described the models but wrote no result to {resultFile}; LoraToolAssembly may name a tool that does not match this task.");
            return false;
        }
        File.WriteAllText(stampFile, stamp);
        return SetOutputs(result);
    }

    private bool SetOutputs(DescribeResult result)
    {
        Models = result.Models.Select(ModelItem.Create).ToArray<ITaskItem>();
        Manifests = result.Manifests.Select(ModelItem.Create).ToArray<ITaskItem>();
        UnmergedAdapterFiles = result.UnmergedFiles.Select(ModelItem.Create).ToArray<ITaskItem>();
        DescribeProcessId = result.ProcessId;
        return !Log.HasLoggedErrors;
    }

    private static DescribeResult? ReadResult(string path) => FileContent.ReadTextOrNull(path) is { } text ? DescribeResult.Parse(text) : null;

    /// <summary>A full path without a trailing separator (a folder's name is the model's default name).</summary>
    private static string FullPath(string baseDirectory, string path)
    {
        var full = Path.GetFullPath(Path.Combine(baseDirectory, path.Trim()));
        var root = Path.GetPathRoot(full) ?? "";
        return full.Length > root.Length ? full.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) : full;
    }
}
