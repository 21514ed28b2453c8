using LoraMerge.Contracts;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using LoraMerge.Merging;
using LoraMerge.Requests;

namespace LoraMerge.Cli.Describe;

/// <summary>
/// Runs <c>lora-merge describe --request obj/.../lora/describe.json</c>, the build's describe step, out of the MSBuild
/// node: checks the items (LORA14xx at the <c>&lt;LoraAdapter&gt;</c> line), groups them into models, writes each
/// model's <see cref="ModelMergeRequest"/> (only when it changes), runs the merge's preflight from file headers
/// (<see cref="MergeEngine.Plan"/>), writes the manifest for the generator and the reported warnings, and finally the
/// <see cref="DescribeResult"/> the task turns into its output items. Every line on stdout is for the build log;
/// diagnostics are in MSBuild's canonical form, placed by <see cref="DiagnosticPlacement"/> as the merge's are.
/// </summary>
internal sealed class DescribeRunner(CliConsole console, CancellationToken cancellationToken)
{
    public int Run(string requestFile)
    {
        DescribeRequest request;
        try
        {
            request = DescribeRequest.Read(requestFile);
        }
        catch (LoraException e)
        {
            Write(DiagnosticPlacement.Of(e.FilePath, e.Message, ItemLocation.FileOnly(requestFile), "lora-merge").Canonical("error", e.Code));
            return ExitCodes.Failed;
        }
        FileContent.DeleteIfExists(request.ResultFile);
        console.Out.WriteLine($"LoraMerge: describing the models of {request.ProjectFile} (process {Environment.ProcessId})");

        var errors = new List<ItemError>();
        var settings = ProjectSettings.Read(request.Backend, request.Threads, request.ProjectFile, errors) with
        {
            StoreDirectory = request.StoreDirectory.Length == 0 ? null : request.StoreDirectory,
        };
        var adapters = new List<AdapterItem>();
        foreach (var item in request.Items)
        {
            if (AdapterItemReader.Read(item, errors) is { } adapter) adapters.Add(adapter);
        }
        var models = ModelGrouper.Group(adapters, errors);
        foreach (var error in errors)
            Write(new DiagnosticPlacement(error.Location.File, error.Location.Line, error.Location.Column, error.Message).Canonical("error", error.Code));
        if (errors.Count > 0) return ExitCodes.Failed;

        var intermediate = request.IntermediateDirectory;
        Directory.CreateDirectory(intermediate);
        var tool = ToolIdentity.Of(request.Tasks);
        var result = new DescribeResult { ProcessId = Environment.ProcessId };
        var failed = false;
        try
        {
            foreach (var model in models)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var paths = new ModelPaths(intermediate, request.ModelsDirectory, model.Name);
                var inputs = InputFiles.InFolder(model.BaseModel);
                foreach (var adapter in model.Adapters) inputs.AddRange(InputFiles.InFolder(adapter.Directory));
                var mergeRequest = new ModelMergeRequest
                {
                    Model = model.Name,
                    Options = model.ToOptions(paths.OutputDirectory, settings),
                    Item = model.Location,
                    ReportedWarningsFile = paths.Warnings,
                    Tool = tool,
                };
                FileContent.WriteIfDifferent(paths.MergeRequest, mergeRequest.Write());
                var plan = Preflight(mergeRequest.Options, model.Location, $"Model '{model.Name}'", paths.Warnings, result);
                if (plan is null)
                {
                    failed = true;
                    continue;
                }
                FileContent.WriteIfDifferent(paths.Manifest, ManifestFor(model, paths, plan));
                result.Models.Add(new DescribeResult.Item(model.Name)
                    .With(DescribeResult.MergeRequest, paths.MergeRequest)
                    .With(DescribeResult.MergeReport, paths.MergeReport)
                    // Semicolons separate the files when the merge target expands this into its Inputs.
                    .With(DescribeResult.InputFiles, string.Join(';', inputs.Append(paths.MergeRequest)))
                    .With(DescribeResult.OutputDirectory, paths.OutputDirectory + Path.DirectorySeparatorChar)
                    .With(DescribeResult.RelativeDirectory, paths.RelativeDirectory)
                    .With(DescribeResult.ResourcePrefix, paths.ResourcePrefix)
                    .With(DescribeResult.Embed, model.Embed ? "true" : "false")
                    .With(DescribeResult.Manifest, paths.Manifest));
                result.Manifests.Add(new DescribeResult.Item(paths.Manifest).With(DescribeResult.Model, model.Name));
            }

            foreach (var adapter in adapters.Where(a => !a.Merge))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (adapter.BaseModel.Length > 0 && !CheckUnmergedAdapter(adapter, intermediate, request.ModelsDirectory, settings, tool, result))
                {
                    failed = true;
                    continue;
                }
                var relativeDirectory = new ModelPaths(intermediate, request.ModelsDirectory, adapter.Model).RelativeDirectory;
                foreach (var file in InputFiles.InFolder(adapter.Directory))
                {
                    result.UnmergedFiles.Add(new DescribeResult.Item(file)
                        .With(DescribeResult.Model, adapter.Model)
                        .With(DescribeResult.RelativePath, relativeDirectory + "/" + Path.GetFileName(file)));
                }
            }
        }
        catch (OperationCanceledException)
        {
            Write(new DiagnosticPlacement(request.ProjectFile, 0, 0, "The build was cancelled while LoraMerge described its models.").Canonical("error", ErrorCodes.Cancelled));
            return ExitCodes.Cancelled;
        }
        if (failed) return ExitCodes.Failed;
        FileContent.WriteIfDifferent(request.ResultFile, System.Text.Encoding.UTF8.GetBytes(result.Write()));
        return ExitCodes.Success;
    }

    /// <summary>A <c>Merge="false"</c> adapter with a BaseModel is still checked against it, so a misfit fails at build time.</summary>
    private bool CheckUnmergedAdapter(AdapterItem adapter, string intermediate, string modelsDirectory, ProjectSettings settings, string tool, DescribeResult result)
    {
        var paths = new ModelPaths(Path.Combine(intermediate, "unmerged"), modelsDirectory, adapter.Model);
        var model = new ModelGroup(adapter.Model, adapter.BaseModel, [adapter], adapter.SafeMerge, Embed: false) { Rounding = adapter.Rounding, Combination = adapter.Combination };
        var options = model.ToOptions(paths.OutputDirectory, settings);
        return Preflight(options, adapter.Location, $"LoraAdapter '{adapter.ItemSpec}' (Merge=\"false\")", paths.Warnings, result) is not null;
    }

    /// <summary>
    /// The preflight from headers; reports its warnings (and keeps them for the merge and for the task to repeat).
    /// Null (after reporting the error) when it fails.
    /// </summary>
    private MergePlan? Preflight(MergeOptions options, ItemLocation location, string subject, string warningsFile, DescribeResult result)
    {
        var warnings = new List<LoraWarning>();
        MergePlan? plan = null;
        LoraException? failure = null;
        try
        {
            plan = MergeEngine.Plan(options, warnings.Add);
        }
        catch (LoraException exception)
        {
            failure = exception;
        }
        foreach (var warning in warnings)
        {
            var at = DiagnosticPlacement.Of(warning.FilePath, warning.Message, location, subject);
            Write(at.Canonical("warning", warning.Code));
            result.Warnings.Add(new DescribeResult.Warning(warning.Code, at.File, at.Line, at.Column, at.Message));
        }
        if (failure is not null)
        {
            Write(DiagnosticPlacement.Of(failure.FilePath, failure.Message, location, subject).Canonical("error", failure.Code));
            return null;
        }
        ReportedWarnings.Save(warningsFile, warnings);
        return plan;
    }

    private void Write(string line)
    {
        console.Out.WriteLine(line);
        console.Out.Flush();
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
                : null,
            model.Class);
}
