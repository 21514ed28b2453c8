using System.Text;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using LoraMerge.Merging;
using LoraMerge.Tasks.Describe;
using LoraMerge.Tasks.IO;
using LoraMerge.Tasks.Items;
using LoraMerge.Tasks.Logging;
using LoraMerge.Tasks.Manifest;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using MSBuildTask = Microsoft.Build.Utilities.Task;

namespace LoraMerge.Tasks;

/// <summary>
/// The describe step (every build, before compile): reads <c>LoraAdapter</c> items, groups them into models, runs the
/// merge's preflight from file headers only (<see cref="MergeEngine.Plan"/>), and writes one manifest per model for the
/// generator. Skips the headers when nothing changed since the last successful describe. Cancelable (Ctrl+C): it stops
/// between models with LORA1303.
/// </summary>
public sealed class LoraDescribeModels : MSBuildTask, ICancelableTask
{
    private volatile bool _cancelled;

    /// <summary>The <c>@(LoraAdapter)</c> items.</summary>
    [Required]
    public ITaskItem[] Adapters { get; set; } = [];

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

    /// <summary>One <c>LoraModel</c> item per merged model (metadata in <see cref="ModelItem"/>); its request is written beside the manifest.</summary>
    [Output]
    public ITaskItem[] Models { get; private set; } = [];

    /// <summary>The manifests, for <c>AdditionalFiles</c>.</summary>
    [Output]
    public ITaskItem[] Manifests { get; private set; } = [];

    /// <summary>The files of <c>Merge="false"</c> adapter folders, with <c>RelativePath</c> = <c>models/&lt;Model&gt;/&lt;file&gt;</c>.</summary>
    [Output]
    public ITaskItem[] UnmergedAdapterFiles { get; private set; } = [];

    public void Cancel() => _cancelled = true;

    /// <summary>True (and LORA1303 logged) once the build has been cancelled.</summary>
    private bool StopIfCancelled(string projectFile)
    {
        if (!_cancelled)
            return false;
        Log.LogError(null, ErrorCodes.Cancelled, null, projectFile, 0, 0, 0, 0, "The build was cancelled while LoraMerge described its models.");
        return true;
    }

    public override bool Execute()
    {
        var projectFile = BuildEngine?.ProjectFileOfTaskNode ?? "";
        var errors = new List<ItemError>();
        var settings = ProjectSettings.Read(Backend, Threads, projectFile, errors);

        var locator = new ItemLocator(projectFile);
        var adapters = new List<AdapterItem>();
        foreach (var item in Adapters)
        {
            var location = locator.Locate(item);
            foreach (var (name, suggestion) in UnknownMetadata.Find(item))
            {
                Log.LogWarning(null, ErrorCodes.UnknownItemMetadata, null, location.File, location.Line, location.Column, 0, 0,
                    $"LoraAdapter '{item.ItemSpec}': metadata '{name}' is not one LoraMerge reads{(suggestion is null ? "" : $"; did you mean {suggestion}?")} (known: {string.Join(", ", UnknownMetadata.Known)}).");
            }
            var adapter = AdapterItemReader.Read(item, ProjectDirectory, location, errors);
            if (adapter is not null) adapters.Add(adapter);
        }
        var models = ModelGrouper.Group(adapters, errors);
        foreach (var error in errors) Log.LogItemError(error);
        if (errors.Count > 0) return false;

        var intermediate = Path.GetFullPath(IntermediateDirectory, ProjectDirectory);
        Directory.CreateDirectory(intermediate);

        var modelItems = new List<ITaskItem>();
        var manifests = new List<ITaskItem>();
        foreach (var model in models)
        {
            if (StopIfCancelled(projectFile)) return false;
            var paths = new ModelPaths(intermediate, ModelsDirectory, model.Name);
            var inputs = InputFiles.InFolder(model.BaseModel);
            foreach (var adapter in model.Adapters) inputs.AddRange(InputFiles.InFolder(adapter.Directory));

            var request = new ModelMergeRequest
            {
                Model = model.Name,
                Options = model.ToOptions(paths.OutputDirectory, settings),
                Item = model.Location,
                ReportedWarningsFile = paths.Warnings,
                Tool = ToolIdentity.Current,
            };
            var requestBytes = request.Write();
            FileContent.WriteIfDifferent(paths.MergeRequest, requestBytes);
            var stamp = DescribeStamp.Compute(requestBytes, paths.RelativeDirectory, model.Embed, inputs);
            var described = DescribeOnce(paths, stamp, model.Location, $"Model '{model.Name}'", request.Options, writesManifest: true,
                plan => FileContent.WriteIfDifferent(paths.Manifest, ManifestFor(model, paths, plan)));
            if (!described) continue;

            modelItems.Add(ModelItem.Create(model, paths, inputs.Append(paths.MergeRequest)));
            var manifest = new TaskItem(paths.Manifest);
            manifest.SetMetadata("LoraModel", model.Name);
            manifests.Add(manifest);
        }

        var unmergedFiles = new List<ITaskItem>();
        foreach (var adapter in adapters.Where(a => !a.Merge))
        {
            if (StopIfCancelled(projectFile)) return false;
            if (adapter.BaseModel.Length > 0 && !CheckUnmergedAdapter(adapter, intermediate, settings)) continue;
            var relativeDirectory = new ModelPaths(intermediate, ModelsDirectory, adapter.Model).RelativeDirectory;
            foreach (var file in InputFiles.InFolder(adapter.Directory))
            {
                var item = new TaskItem(file);
                item.SetMetadata("Model", adapter.Model);
                item.SetMetadata("RelativePath", relativeDirectory + "/" + Path.GetFileName(file));
                unmergedFiles.Add(item);
            }
        }

        Models = modelItems.ToArray();
        Manifests = manifests.ToArray();
        UnmergedAdapterFiles = unmergedFiles.ToArray();
        return !Log.HasLoggedErrors;
    }

    /// <summary>A <c>Merge="false"</c> adapter with a BaseModel is still checked against it, so a misfit fails at build time.</summary>
    private bool CheckUnmergedAdapter(AdapterItem adapter, string intermediate, ProjectSettings settings)
    {
        var paths = new ModelPaths(Path.Combine(intermediate, "unmerged"), ModelsDirectory, adapter.Model);
        var inputs = InputFiles.InFolder(adapter.BaseModel);
        inputs.AddRange(InputFiles.InFolder(adapter.Directory));
        var model = new ModelGroup(adapter.Model, adapter.BaseModel, [adapter], adapter.SafeMerge, Embed: false) { Rounding = adapter.Rounding, Combination = adapter.Combination };
        var request = new ModelMergeRequest
        {
            Model = adapter.Model,
            Options = model.ToOptions(paths.OutputDirectory, settings),
            Item = adapter.Location,
            Tool = ToolIdentity.Current,
        };
        var stamp = DescribeStamp.Compute(request.Write(), paths.RelativeDirectory, false, inputs);
        return DescribeOnce(paths, stamp, adapter.Location, $"LoraAdapter '{adapter.ItemSpec}' (Merge=\"false\")", request.Options, writesManifest: false, _ => { });
    }

    /// <summary>
    /// Runs the preflight unless the stamp of the last successful run matches; either way reports the preflight's
    /// warnings. Returns false (after logging the error) when the preflight fails.
    /// </summary>
    private bool DescribeOnce(
        ModelPaths paths, string stamp, ItemLocation location, string subject, MergeOptions options, bool writesManifest, Action<MergePlan> onPlan)
    {
        var upToDate = FileContent.ReadTextOrNull(paths.DescribeStamp) == stamp && (!writesManifest || File.Exists(paths.Manifest));
        if (upToDate)
        {
            Log.LogMessage(MessageImportance.Low, $"LoraMerge: {subject} is up to date; headers not read again.");
            foreach (var warning in ReportedWarnings.Load(paths.Warnings)) Log.LogLoraWarning(warning, location, subject);
            return true;
        }

        FileContent.DeleteIfExists(paths.DescribeStamp);
        var warnings = new List<LoraWarning>();
        try
        {
            var plan = MergeEngine.Plan(options, warnings.Add);
            onPlan(plan);
        }
        catch (LoraException exception)
        {
            foreach (var warning in warnings) Log.LogLoraWarning(warning, location, subject);
            Log.LogLoraError(exception, location, subject);
            return false;
        }
        foreach (var warning in warnings) Log.LogLoraWarning(warning, location, subject);
        ReportedWarnings.Save(paths.Warnings, warnings);
        Directory.CreateDirectory(Path.GetDirectoryName(paths.DescribeStamp)!);
        File.WriteAllText(paths.DescribeStamp, stamp);
        return true;
    }

    /// <summary>A GGUF-only model has no safetensors files, so its manifest lists no tensors.</summary>
    private static byte[] ManifestFor(ModelGroup model, ModelPaths paths, MergePlan plan) =>
        ModelManifestWriter.Write(
            model.Name,
            paths.RelativeDirectory,
            model.Embed,
            plan.Fingerprint,
            model.Formats,
            plan.BaseModel.Config,
            model.Formats.HasFlag(OutputFormats.Safetensors)
                ? plan.Tensors.Select(t => new ManifestTensor(t.Name, DTypes.Name(t.DType), t.Shape, t.OutputFile))
                : null);
}
