extern alias tasks;
using System.Collections;
using Microsoft.Build.Framework;

using tasks::LoraMerge.Tasks;
using tasks::LoraMerge.Tasks.Items;

namespace LoraMerge.Tasks.Tests;

/// <summary>
/// An item as MSBuild hands it to a task, including the defining-project metadata that
/// <see cref="Microsoft.Build.Utilities.TaskItem"/> refuses to set (it treats those names as reserved).
/// </summary>
internal sealed class EvaluatedItem(string itemSpec, Dictionary<string, string> metadata) : ITaskItem
{
    public string ItemSpec { get; set; } = itemSpec;

    /// <summary>The project file line that declares it (<see cref="TestProject.Adapter"/>); 0 when unknown.</summary>
    public int Line { get; init; }

    public ICollection MetadataNames => metadata.Keys;

    public int MetadataCount => metadata.Count;

    public string GetMetadata(string metadataName) => metadata.TryGetValue(metadataName, out var value) ? value : "";

    public void SetMetadata(string metadataName, string metadataValue) => metadata[metadataName] = metadataValue;

    public void RemoveMetadata(string metadataName) => metadata.Remove(metadataName);

    public void CopyMetadataTo(ITaskItem destinationItem)
    {
        foreach (var (name, value) in metadata) destinationItem.SetMetadata(name, value);
    }

    public IDictionary CloneCustomMetadata() => new Dictionary<string, string>(metadata);
}
