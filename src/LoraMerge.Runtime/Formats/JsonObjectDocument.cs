using System.Text.Json;
using LoraMerge.Diagnostics;

namespace LoraMerge.Formats;

/// <summary>Parses a small JSON file that must hold one object (config.json, adapter_config.json), with coded errors.</summary>
internal static class JsonObjectDocument
{
    private static readonly JsonDocumentOptions Options = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <param name="errorCode">The code for "unreadable as a JSON object".</param>
    /// <param name="fileName">How messages name the file, e.g. <c>config.json</c>.</param>
    public static JsonDocument Parse(ReadOnlySpan<byte> json, string path, string errorCode, string fileName)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), Options);
        }
        catch (JsonException e)
        {
            throw new LoraException(errorCode, $"{fileName} is not valid JSON: {e.Message}", path, e);
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new LoraException(errorCode, $"{fileName} must hold a JSON object.", path);
        }
        return document;
    }
}
