using System.Text.Json;
using LoraMerge.Diagnostics;

namespace LoraMerge.Requests;

/// <summary>
/// Reading a request file the build hands the tool (<c>&lt;Model&gt;.merge.json</c>, <c>describe.json</c>): the bytes,
/// the JSON, the <c>formatVersion</c> field both carry; any failure is InvalidMergeOptions at the file, naming the kind of request.
/// </summary>
public static class RequestFile
{
    /// <param name="kind">How messages name it: <c>merge</c>, <c>describe</c>.</param>
    /// <param name="read">Builds the request from the root object (the version already checked).</param>
    public static T Read<T>(string path, string kind, int formatVersion, Func<JsonElement, T> read)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LoraException(ErrorCodes.InvalidMergeOptions, $"The {kind} request could not be read: {e.Message}", path);
        }
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            var version = root.GetProperty("formatVersion").GetInt32();
            if (version != formatVersion)
                throw new LoraException(ErrorCodes.InvalidMergeOptions, $"{char.ToUpperInvariant(kind[0])}{kind[1..]} request format {version} is not supported (expected {formatVersion}).", path);
            return read(root);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new LoraException(ErrorCodes.InvalidMergeOptions, $"The {kind} request is not valid: {e.Message}", path);
        }
    }
}
