using LoraMerge.Contracts;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace LoraMerge.Tasks.Items;

/// <summary>
/// The <c>LoraModel</c> items the describe task outputs: one per merged model, with the metadata
/// <c>lora-merge describe</c> computed (<see cref="DescribeResult"/>). The merge reads only <see cref="MergeRequest"/>
/// (everything it needs) and <see cref="MergeReport"/> (its output); the rest is what the targets need to batch, skip
/// and deploy the model.
/// </summary>
internal static class ModelItem
{
    public const string MergeRequest = DescribeResult.MergeRequest;
    public const string MergeReport = DescribeResult.MergeReport;
    public const string InputFiles = DescribeResult.InputFiles;
    public const string OutputDirectory = DescribeResult.OutputDirectory;
    public const string RelativeDirectory = DescribeResult.RelativeDirectory;
    public const string ResourcePrefix = DescribeResult.ResourcePrefix;
    public const string Embed = DescribeResult.Embed;
    public const string Manifest = DescribeResult.Manifest;

    /// <summary>An output item of the describe step: its spec and metadata as the result lists them.</summary>
    public static TaskItem Create(DescribeResult.Item item)
    {
        var task = new TaskItem(item.Spec);
        foreach (var pair in item.Metadata) task.SetMetadata(pair.Key, pair.Value);
        return task;
    }

    public static string Name(ITaskItem item) => item.ItemSpec;
}
