using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace LoraMerge.Tasks.Items;

/// <summary>
/// The <c>LoraModel</c> items the describe task outputs: one per merged model. The merge reads only
/// <see cref="MergeRequest"/> (everything it needs) and <see cref="MergeReport"/> (its output); the rest is what the
/// targets need to batch, skip and deploy the model, computed here so the targets do not recompute paths.
/// </summary>
internal static class ModelItem
{
    public const string MergeRequest = "MergeRequest";
    public const string MergeReport = "MergeReport";
    public const string InputFiles = "InputFiles";
    public const string OutputDirectory = "OutputDirectory";
    public const string RelativeDirectory = "RelativeDirectory";
    public const string ResourcePrefix = "ResourcePrefix";
    public const string Embed = "Embed";
    public const string Manifest = "Manifest";

    public static TaskItem Create(ModelGroup model, ModelPaths paths, IEnumerable<string> inputFiles)
    {
        var item = new TaskItem(model.Name);
        item.SetMetadata(MergeRequest, paths.MergeRequest);
        item.SetMetadata(MergeReport, paths.MergeReport);
        // Semicolons separate the files when the merge target expands this into its Inputs.
        item.SetMetadata(InputFiles, string.Join(';', inputFiles));
        item.SetMetadata(OutputDirectory, paths.OutputDirectory + Path.DirectorySeparatorChar);
        item.SetMetadata(RelativeDirectory, paths.RelativeDirectory);
        item.SetMetadata(ResourcePrefix, paths.ResourcePrefix);
        item.SetMetadata(Embed, model.Embed ? "true" : "false");
        item.SetMetadata(Manifest, paths.Manifest);
        return item;
    }

    public static string Name(ITaskItem item) => item.ItemSpec;
}
