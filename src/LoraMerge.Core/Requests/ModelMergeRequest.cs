using System.Text.Json;
using LoraMerge.Merging;

namespace LoraMerge.Requests;

/// <summary>
/// One model's merge as the build asks for it: the describe step writes it (<c>obj/.../lora/&lt;Model&gt;.merge.json</c>,
/// rewritten only when it changes, so it is also the merge target's input cache) and <c>lora-merge merge --request</c>
/// runs it. Its options are <see cref="MergeOptions"/> as <see cref="MergeOptionsJson"/> writes them.
/// </summary>
public sealed record ModelMergeRequest
{
    public const int FormatVersion = 1;

    /// <summary>The model's name (<c>models/&lt;Model&gt;/</c>).</summary>
    public required string Model { get; init; }

    public required MergeOptions Options { get; init; }

    /// <summary>The model's first <c>&lt;LoraAdapter&gt;</c> item: where its diagnostics are reported.</summary>
    public ItemLocation Item { get; init; }

    /// <summary>The describe step's warnings file; the merge does not report those warnings again.</summary>
    public string? ReportedWarningsFile { get; init; }

    /// <summary>Identity of the build tool that wrote the request, so a new tool merges again.</summary>
    public string Tool { get; init; } = "";

    public byte[] Write()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("formatVersion", FormatVersion);
            json.WriteString("model", Model);
            json.WriteString("tool", Tool);
            json.WriteStartObject("item");
            json.WriteString("file", Item.File);
            json.WriteNumber("line", Item.Line);
            json.WriteNumber("column", Item.Column);
            json.WriteEndObject();
            if (ReportedWarningsFile is not null) json.WriteString("reportedWarnings", ReportedWarningsFile);
            json.WritePropertyName("options");
            MergeOptionsJson.Write(json, Options);
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Reads a request file; a file that is not one is LORA1401-style misuse, reported as InvalidMergeOptions at the file.</summary>
    public static ModelMergeRequest Read(string path) =>
        RequestFile.Read(path, "merge", FormatVersion, root =>
        {
            var item = root.GetProperty("item");
            return new ModelMergeRequest
            {
                Model = root.GetProperty("model").GetString()!,
                Tool = root.TryGetProperty("tool", out var tool) ? tool.GetString() ?? "" : "",
                Item = new ItemLocation(item.GetProperty("file").GetString() ?? "", item.GetProperty("line").GetInt32(), item.GetProperty("column").GetInt32()),
                ReportedWarningsFile = root.TryGetProperty("reportedWarnings", out var warnings) ? warnings.GetString() : null,
                Options = MergeOptionsJson.Read(root.GetProperty("options"), path),
            };
        });
}
