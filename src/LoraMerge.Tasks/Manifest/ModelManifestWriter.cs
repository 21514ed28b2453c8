using System.Text.Json;
using LoraMerge.Merging;
using LoraMerge.Models;

namespace LoraMerge.Tasks.Manifest;

/// <summary>
/// Writes the model manifest the generator reads (docs/architecture.md, "Model manifest"; the generator's
/// ManifestParser is the other side). Deterministic: same inputs, same bytes, so an unchanged manifest is not rewritten.
/// </summary>
internal static class ModelManifestWriter
{
    public const int FormatVersion = 1;

    /// <param name="tensors">The safetensors tensors; null when <paramref name="formats"/> has no safetensors.</param>
    public static byte[] Write(
        string model, string artifact, bool embedded, string fingerprint, OutputFormats formats, ModelConfig config, IEnumerable<ManifestTensor>? tensors)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("formatVersion", FormatVersion);
            json.WriteString("model", model);
            json.WriteString("artifact", artifact);
            json.WriteBoolean("embedded", embedded);
            json.WriteString("fingerprint", fingerprint);
            json.WriteStartArray("formats");
            if (formats.HasFlag(OutputFormats.Safetensors)) json.WriteStringValue("safetensors");
            if (formats.HasFlag(OutputFormats.Gguf)) json.WriteStringValue("gguf");
            json.WriteEndArray();

            json.WriteStartObject("config");
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
        json.WriteStartArray("tensors");
        foreach (var tensor in tensors)
        {
            json.WriteStartObject();
            json.WriteString("name", tensor.Name);
            json.WriteString("dtype", tensor.DType);
            json.WriteStartArray("shape");
            foreach (var dimension in tensor.Shape) json.WriteNumberValue(dimension);
            json.WriteEndArray();
            json.WriteString("file", tensor.File);
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
