using System.Text.Json;
using LoraMerge.Diagnostics;

namespace LoraMerge.Formats;

/// <summary>
/// Parses a small JSON file that must hold one object (config.json, adapter_config.json), with coded errors. Python's
/// json module writes <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> for such floats, which JSON has no literal for:
/// they are read as the strings "NaN", "Infinity" and "-Infinity", so a file transformers wrote still opens and a
/// value that must be a number is refused by name where it is used.
/// </summary>
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
            if (!TryQuotePythonFloats(json, out var quoted))
                throw new LoraException(errorCode, $"{fileName} is not valid JSON: {e.Message}", path, e);
            try
            {
                document = JsonDocument.Parse(quoted, Options);
            }
            catch (JsonException)
            {
                throw new LoraException(errorCode, $"{fileName} is not valid JSON: {e.Message}", path, e);
            }
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw new LoraException(errorCode, $"{fileName} must hold a JSON object.", path);
        }
        return document;
    }

    private static readonly string[] PythonFloatLiterals = ["-Infinity", "Infinity", "NaN"];

    /// <summary>The JSON text with Python's non-finite float literals outside strings quoted; false when it has none.</summary>
    private static bool TryQuotePythonFloats(ReadOnlySpan<byte> json, out byte[] quoted)
    {
        var text = System.Text.Encoding.UTF8.GetString(json);
        var output = new System.Text.StringBuilder(text.Length + 16);
        bool inString = false, changed = false;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (inString)
            {
                output.Append(c);
                if (c == '\\' && i + 1 < text.Length)
                    output.Append(text[++i]);
                else if (c == '"')
                    inString = false;
                continue;
            }
            if (c == '"')
            {
                inString = true;
                output.Append(c);
                continue;
            }
            string? literal = Array.Find(PythonFloatLiterals, l => string.CompareOrdinal(text, i, l, 0, l.Length) == 0);
            if (literal is not null)
            {
                output.Append('"').Append(literal).Append('"');
                i += literal.Length - 1;
                changed = true;
                continue;
            }
            output.Append(c);
        }
        quoted = changed ? System.Text.Encoding.UTF8.GetBytes(output.ToString()) : [];
        return changed;
    }
}
