using System.Globalization;
using System.Text;
using LoraMerge.Contracts;

namespace LoraMerge.Tasks.Describe;

/// <summary>One <c>&lt;LoraAdapter&gt;</c> item for the describe request: paths resolved, its place, its known metadata.</summary>
internal sealed class DescribeRequestItem
{
    public DescribeRequestItem(string spec, string directory, string baseModel, ItemLocation location, IReadOnlyList<KeyValuePair<string, string>> metadata)
    {
        Spec = spec;
        Directory = directory;
        BaseModel = baseModel;
        Location = location;
        Metadata = metadata;
    }

    public string Spec { get; }
    public string Directory { get; }
    public string BaseModel { get; }
    public ItemLocation Location { get; }
    public IReadOnlyList<KeyValuePair<string, string>> Metadata { get; }
}

/// <summary>
/// Writes the describe request (<see cref="DescribeRequestSchema"/>) with a small JSON writer of its own, so the task
/// needs no JSON library on any MSBuild host. Deterministic: same items, same bytes, so the stamp holds.
/// </summary>
internal static class DescribeRequestWriter
{
    public static byte[] Write(
        string tasks, string projectFile, string intermediateDirectory, string modelsDirectory, string? backend, string? threads,
        string? storeDirectory, string resultFile, IEnumerable<DescribeRequestItem> items)
    {
        var json = new StringBuilder();
        json.Append("{\n");
        Field(json, 1, DescribeRequestSchema.FormatVersionField, DescribeRequestSchema.FormatVersion.ToString(CultureInfo.InvariantCulture), raw: true);
        Field(json, 1, DescribeRequestSchema.TasksField, tasks);
        Field(json, 1, DescribeRequestSchema.ProjectFileField, projectFile);
        Field(json, 1, DescribeRequestSchema.IntermediateDirectoryField, intermediateDirectory);
        Field(json, 1, DescribeRequestSchema.ModelsDirectoryField, modelsDirectory);
        Field(json, 1, DescribeRequestSchema.BackendField, backend ?? "");
        Field(json, 1, DescribeRequestSchema.ThreadsField, threads ?? "");
        Field(json, 1, DescribeRequestSchema.StoreDirectoryField, storeDirectory ?? "");
        Field(json, 1, DescribeRequestSchema.ResultField, resultFile);
        json.Append("  ").Append(Quote(DescribeRequestSchema.ItemsField)).Append(": [");
        var first = true;
        foreach (var item in items)
        {
            json.Append(first ? "\n" : ",\n").Append("    {\n");
            first = false;
            Field(json, 3, DescribeRequestSchema.ItemSpecField, item.Spec);
            Field(json, 3, DescribeRequestSchema.ItemDirectoryField, item.Directory);
            Field(json, 3, DescribeRequestSchema.ItemBaseModelField, item.BaseModel);
            Field(json, 3, DescribeRequestSchema.ItemFileField, item.Location.File);
            Field(json, 3, DescribeRequestSchema.ItemLineField, item.Location.Line.ToString(CultureInfo.InvariantCulture), raw: true);
            Field(json, 3, DescribeRequestSchema.ItemColumnField, item.Location.Column.ToString(CultureInfo.InvariantCulture), raw: true);
            json.Append("      ").Append(Quote(DescribeRequestSchema.ItemMetadataField)).Append(": {");
            for (var i = 0; i < item.Metadata.Count; i++)
            {
                json.Append(i == 0 ? " " : ", ").Append(Quote(item.Metadata[i].Key)).Append(": ").Append(Quote(item.Metadata[i].Value));
            }
            json.Append(" }\n    }");
        }
        json.Append(first ? "]\n" : "\n  ]\n").Append("}\n");
        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(json.ToString());
    }

    private static void Field(StringBuilder json, int depth, string name, string value, bool raw = false) =>
        json.Append(' ', depth * 2).Append(Quote(name)).Append(": ").Append(raw ? value : Quote(value)).Append(",\n");

    /// <summary>A JSON string: quotes, backslashes and control characters escaped (RFC 8259, section 7).</summary>
    internal static string Quote(string text)
    {
        var quoted = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case '\n': quoted.Append("\\n"); break;
                case '\r': quoted.Append("\\r"); break;
                case '\t': quoted.Append("\\t"); break;
                default:
                    if (c < 0x20) quoted.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else quoted.Append(c);
                    break;
            }
        }
        return quoted.Append('"').ToString();
    }
}
