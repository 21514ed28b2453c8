using System.Text.Json;
using LoraMerge.Contracts;
using LoraMerge.Merging;
using LoraMerge.Models;

namespace LoraMerge.Cli.Describe;

/// <summary>
/// Writes the model manifest the generator reads (docs/architecture.md, "Model manifest"; the generator's
/// ManifestParser is the other side). Deterministic: same inputs, same bytes, so an unchanged manifest is not rewritten.
/// </summary>
internal static class ModelManifestWriter
{
    public const int FormatVersion = ManifestSchema.FormatVersion;

    /// <param name="tensors">The safetensors tensors; null when <paramref name="formats"/> has no safetensors.</param>
    public static byte[] Write(
        string model, string artifact, bool embedded, string fingerprint, OutputFormats formats, ModelConfig config, IEnumerable<ManifestTensor>? tensors,
        GeneratedClassOptions? generatedClass = null)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber(ManifestSchema.FormatVersionField, FormatVersion);
            json.WriteString(ManifestSchema.ModelField, model);
            json.WriteString(ManifestSchema.ArtifactField, artifact);
            json.WriteBoolean(ManifestSchema.EmbeddedField, embedded);
            json.WriteString(ManifestSchema.FingerprintField, fingerprint);
            json.WriteStartArray(ManifestSchema.FormatsField);
            if (formats.HasFlag(OutputFormats.Safetensors)) json.WriteStringValue(ManifestSchema.SafetensorsFormat);
            if (formats.HasFlag(OutputFormats.Gguf)) json.WriteStringValue(ManifestSchema.GgufFormat);
            json.WriteEndArray();
            // Only what the item set: a manifest without them reads as the RootNamespace's public <Model>Model.
            if (generatedClass?.Namespace is { } classNamespace) json.WriteString(ManifestSchema.NamespaceField, classNamespace);
            if (generatedClass?.ClassName is { } className) json.WriteString(ManifestSchema.ClassNameField, className);
            if (generatedClass?.Internal == true) json.WriteString(ManifestSchema.AccessField, ManifestSchema.InternalAccess);

            json.WriteStartObject(ManifestSchema.ConfigField);
            foreach (var entry in config.Entries)
            {
                json.WritePropertyName(entry.Key);
                WriteValue(json, entry.Value);
            }
            json.WriteEndObject();

            if (tensors is not null) WriteTensors(json, tensors);
            json.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    private static void WriteTensors(Utf8JsonWriter json, IEnumerable<ManifestTensor> tensors)
    {
        json.WriteStartArray(ManifestSchema.TensorsField);
        foreach (var tensor in tensors)
        {
            json.WriteStartObject();
            json.WriteString(ManifestSchema.TensorNameField, tensor.Name);
            json.WriteString(ManifestSchema.TensorDTypeField, tensor.DType);
            json.WriteStartArray(ManifestSchema.TensorShapeField);
            foreach (var dimension in tensor.Shape) json.WriteNumberValue(dimension);
            json.WriteEndArray();
            json.WriteString(ManifestSchema.TensorFileField, tensor.File);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    private static void WriteValue(Utf8JsonWriter json, ConfigValue value)
    {
        switch (value.Kind)
        {
            case ConfigValueKind.String:
                json.WriteStringValue(value.Text);
                break;
            case ConfigValueKind.Integer:
            case ConfigValueKind.Float:
                // The number exactly as config.json wrote it (1e-06 stays 1e-06).
                json.WriteRawValue(value.Text!, skipInputValidation: false);
                break;
            case ConfigValueKind.Boolean:
                json.WriteBooleanValue(value.Boolean);
                break;
            default:
                json.WriteStartArray();
                foreach (var item in value.Items) WriteValue(json, item);
                json.WriteEndArray();
                break;
        }
    }
}
