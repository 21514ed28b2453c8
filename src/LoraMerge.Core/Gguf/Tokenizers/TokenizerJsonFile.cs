using System.Text.Json;
using LoraMerge.Diagnostics;

namespace LoraMerge.Gguf.Tokenizers;

/// <summary>Reads a JSON file of a tokenizer folder; an unreadable file is a coded error, an absent one null.</summary>
internal static class TokenizerJsonFile
{
    private static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    public static JsonDocument? TryRead(string path)
    {
        if (!File.Exists(path))
            return null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path), Options);
        }
        catch (JsonException e)
        {
            throw new LoraException(ErrorCodes.TokenizerFileInvalid, $"{Path.GetFileName(path)} is not valid JSON: {e.Message}", path, e);
        }
        catch (IOException e)
        {
            throw new LoraException(ErrorCodes.TokenizerFileInvalid, $"{Path.GetFileName(path)} cannot be read: {e.Message}", path, e);
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new LoraException(ErrorCodes.TokenizerFileInvalid, $"{Path.GetFileName(path)} must hold a JSON object.", path);
        }
        return document;
    }

    /// <summary>A string property, or null when it is absent or JSON null.</summary>
    public static string? String(JsonElement obj, string name, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new LoraException(ErrorCodes.TokenizerFileInvalid, $"'{name}' must be a string.", path);
    }

    public static bool? Bool(JsonElement obj, string name, string path)
    {
        if (obj.ValueKind != JsonValueKind.Object || !obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new LoraException(ErrorCodes.TokenizerFileInvalid, $"'{name}' must be true or false.", path),
        };
    }

    public static int Int(JsonElement value, string what, string path) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out int n) && n >= 0
            ? n
            : throw new LoraException(ErrorCodes.TokenizerFileInvalid, $"{what} must be a whole number ≥ 0, not {value.GetRawText()}.", path);
}
