using System.Text.Json;
using LoraMerge.Contracts;
using LoraMerge.Requests;

namespace LoraMerge.Cli.Describe;

/// <summary>One <c>&lt;LoraAdapter&gt;</c> item as the task passes it: paths resolved, its line, the metadata LoraMerge reads.</summary>
internal sealed record DescribeItem(string ItemSpec, string Directory, string BaseModel, ItemLocation Location, IReadOnlyDictionary<string, string> Metadata)
{
    public string GetMetadata(string name) => Metadata.TryGetValue(name, out var value) ? value : "";
}

/// <summary>The describe request (<see cref="DescribeRequestSchema"/>) the <c>LoraDescribeModels</c> task writes.</summary>
internal sealed record DescribeRequest(
    string ProjectFile,
    string IntermediateDirectory,
    string ModelsDirectory,
    string? Backend,
    string? Threads,
    string StoreDirectory,
    string Tasks,
    string ResultFile,
    IReadOnlyList<DescribeItem> Items)
{
    public static DescribeRequest Read(string path) =>
        RequestFile.Read(path, "describe", DescribeRequestSchema.FormatVersion, root =>
        {
            var items = new List<DescribeItem>();
            foreach (var item in root.GetProperty(DescribeRequestSchema.ItemsField).EnumerateArray())
            {
                var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (var property in item.GetProperty(DescribeRequestSchema.ItemMetadataField).EnumerateObject())
                    metadata[property.Name] = property.Value.GetString() ?? "";
                items.Add(new DescribeItem(
                    String(item, DescribeRequestSchema.ItemSpecField),
                    String(item, DescribeRequestSchema.ItemDirectoryField),
                    String(item, DescribeRequestSchema.ItemBaseModelField),
                    new ItemLocation(
                        String(item, DescribeRequestSchema.ItemFileField),
                        item.GetProperty(DescribeRequestSchema.ItemLineField).GetInt32(),
                        item.GetProperty(DescribeRequestSchema.ItemColumnField).GetInt32()),
                    metadata));
            }
            return new DescribeRequest(
                String(root, DescribeRequestSchema.ProjectFileField),
                String(root, DescribeRequestSchema.IntermediateDirectoryField),
                String(root, DescribeRequestSchema.ModelsDirectoryField),
                String(root, DescribeRequestSchema.BackendField),
                String(root, DescribeRequestSchema.ThreadsField),
                String(root, DescribeRequestSchema.StoreDirectoryField),
                String(root, DescribeRequestSchema.TasksField),
                String(root, DescribeRequestSchema.ResultField),
                items);
        });

    private static string String(JsonElement element, string name) => element.GetProperty(name).GetString() ?? "";
}
