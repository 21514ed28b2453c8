using System.Text.Json;
using LoraMerge.Gguf;
using LoraMerge.Merging;
using LoraMerge.Peft;

namespace LoraMerge.Provenance;

/// <summary>
/// Writes <c>lora-merge.json</c>: tool, inputs (relative paths, sizes, sha256), options, fingerprint, every output
/// file's sha256, and per changed tensor what changed. Nothing time- or machine-dependent, so equal inputs give equal bytes.
/// </summary>
internal static class MergeReport
{
    public const string FileName = LoraMerge.Contracts.ArtifactLayout.MergeReportFileName;
    public const int FormatVersion = 1;

    public static void Write(
        string path,
        MergePlan plan,
        string finalOutputDirectory,
        IReadOnlyList<FileRecord> baseFiles,
        IReadOnlyList<IReadOnlyList<FileRecord>> adapterFiles,
        IReadOnlyList<FileRecord> outputs,
        IReadOnlyList<TensorChange> changes,
        string backend)
    {
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        json.WriteNumber("formatVersion", FormatVersion);
        json.WriteStartObject("tool");
        json.WriteString("name", "LoraMerge");
        json.WriteString("version", ToolVersion.Value);
        json.WriteEndObject();
        json.WriteString("fingerprint", plan.Fingerprint);

        json.WriteStartObject("base");
        json.WriteString("path", Relative(finalOutputDirectory, plan.BaseModel.Path));
        WriteFiles(json, "files", baseFiles);
        json.WriteEndObject();

        json.WriteStartArray("adapters");
        for (int i = 0; i < plan.Adapters.Count; i++)
            WriteAdapter(json, plan.Adapters[i], plan.Options.Adapters[i].Weight, Relative(finalOutputDirectory, plan.Adapters[i].Directory), adapterFiles[i]);
        json.WriteEndArray();

        json.WriteStartObject("options");
        json.WriteBoolean("safeMerge", plan.Options.SafeMerge);
        json.WriteString("rounding", plan.Options.Rounding == MergeRounding.Peft ? "peft" : "single");
        if (plan.Options.Combination is { } combination)
            Requests.MergeOptionsJson.WriteCombination(json, combination);
        if (plan.Options.MaxShardSize is { } max)
            json.WriteNumber("maxShardSize", max);
        else
            json.WriteNull("maxShardSize");
        json.WriteString("backend", backend);
        json.WriteStartArray("formats");
        if (plan.WritesSafetensors)
            json.WriteStringValue("safetensors");
        if (plan.Gguf is { } gguf)
        {
            json.WriteStringValue("gguf");
            json.WriteEndArray();
            json.WriteString("ggufType", GgufTensorTypes.Name(gguf.Type));
        }
        else
            json.WriteEndArray();
        json.WriteEndObject();

        WriteFiles(json, "outputs", outputs);

        json.WriteStartArray("tensors");
        foreach (var change in changes)
        {
            json.WriteStartObject();
            json.WriteString("name", change.Name);
            json.WriteString("action", change.Action.ToString().ToLowerInvariant());
            json.WriteNumber("changedElements", change.ChangedElements);
            json.WriteNumber("maxAbsDelta", change.MaxAbsDelta);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteAdapter(Utf8JsonWriter json, PeftAdapter adapter, double weight, string path, IReadOnlyList<FileRecord> files)
    {
        var c = adapter.Config;
        json.WriteStartObject();
        json.WriteString("path", path);
        json.WriteNumber("weight", weight);
        json.WriteString("peftType", c.PeftType);
        json.WriteNumber("r", c.Rank);
        json.WriteNumber("loraAlpha", c.Alpha);
        json.WriteBoolean("useRslora", c.UseRsLora);
        json.WriteBoolean("useDora", c.UseDora);
        if (c.BaseModelNameOrPath is { } name)
            json.WriteString("baseModelNameOrPath", name);
        WriteFiles(json, "files", files);
        json.WriteEndObject();
    }

    private static void WriteFiles(Utf8JsonWriter json, string name, IReadOnlyList<FileRecord> files)
    {
        json.WriteStartArray(name);
        foreach (var f in files)
        {
            json.WriteStartObject();
            json.WriteString("path", f.Path);
            json.WriteNumber("size", f.Size);
            json.WriteString("sha256", f.Sha256);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    /// <summary>
    /// Writes the report at <paramref name="sourcePath"/> (in folder <paramref name="sourceFolder"/>) to
    /// <paramref name="destinationPath"/> for a copy of that folder at <paramref name="destinationFolder"/>: the input
    /// paths, relative to the report's own folder, are rewritten to point at the same inputs; everything else is kept.
    /// </summary>
    public static void Relocate(string sourcePath, string sourceFolder, string destinationPath, string destinationFolder)
    {
        var report = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllBytes(sourcePath))!.AsObject();
        string Moved(string path) => Relative(destinationFolder, Path.Combine(sourceFolder, path));
        if (report["base"]?["path"] is { } basePath)
            report["base"]!["path"] = Moved(basePath.GetValue<string>());
        foreach (var adapter in report["adapters"]?.AsArray() ?? [])
            adapter!["path"] = Moved(adapter["path"]!.GetValue<string>());
        using var stream = File.Create(destinationPath);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        report.WriteTo(json);
    }

    private static string Relative(string from, string to) => Path.GetRelativePath(from, Path.GetFullPath(to)).Replace('\\', '/');
}
