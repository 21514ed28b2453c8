using System.Buffers;
using System.Text;
using System.Text.Json;
using LoraMerge.Diagnostics;

namespace LoraMerge.Formats;

/// <summary>The parsed contents of a <c>model.safetensors.index.json</c>: its weight map and its metadata.</summary>
internal sealed record ShardIndexFile(IReadOnlyList<KeyValuePair<string, string>> WeightMap, IReadOnlyDictionary<string, string> Metadata)
{
    private const long MaxIndexLength = SafetensorsHeader.MaxHeaderLength;

    public static ShardIndexFile Read(string path)
    {
        byte[] bytes;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var length = RandomAccess.GetLength(handle);
            if (length > MaxIndexLength) throw Fail(path, "index file is absurdly large", $"{length} bytes");
            bytes = new byte[length];
            var read = 0;
            while (read < bytes.Length)
            {
                var n = RandomAccess.Read(handle, bytes.AsSpan(read), read);
                if (n == 0) throw new LoraException(ErrorCodes.ReadFailed, "The index got shorter while it was being read.", path);
                read += n;
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new LoraException(ErrorCodes.FileNotFound, $"Shard index not found: {path}", path, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new LoraException(ErrorCodes.ReadFailed, $"Could not read shard index: {ex.Message}", path, ex);
        }
        return Parse(bytes, path);
    }

    public static ShardIndexFile Parse(ReadOnlySpan<byte> json, string path)
    {
        if (json.StartsWith(Encoding.UTF8.Preamble)) json = json[Encoding.UTF8.Preamble.Length..];
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        List<KeyValuePair<string, string>>? weightMap = null;
        Dictionary<string, string>? metadata = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw Fail(path, "index is not a JSON object");
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var key = reader.GetString()!;
                reader.Read();
                switch (key)
                {
                    case "weight_map" when weightMap is null:
                        weightMap = ReadWeightMap(ref reader, path);
                        break;
                    case "metadata" when metadata is null:
                        metadata = ReadMetadata(ref reader, path);
                        break;
                    case "weight_map" or "metadata":
                        throw Fail(path, "index key appears twice", key);
                    default:
                        reader.Skip();
                        break;
                }
            }
            if (reader.Read()) throw Fail(path, "index is not valid JSON", "content after the closing brace");
        }
        catch (JsonException ex)
        {
            throw Fail(path, "index is not valid JSON", ex.Message, ex);
        }
        catch (InvalidOperationException ex)
        {
            throw Fail(path, "index is not valid JSON", ex.Message, ex);
        }
        return new ShardIndexFile(
            weightMap ?? throw Fail(path, "index has no weight_map"),
            metadata ?? new Dictionary<string, string>(StringComparer.Ordinal));
    }

    private static List<KeyValuePair<string, string>> ReadWeightMap(ref Utf8JsonReader reader, string path)
    {
        if (reader.TokenType != JsonTokenType.StartObject) throw Fail(path, "weight_map is not an object of strings");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var map = new List<KeyValuePair<string, string>>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String) throw Fail(path, "weight_map value is not a string", name);
            if (!seen.Add(name)) throw Fail(path, "weight_map names a tensor twice", name);
            map.Add(new(name, reader.GetString()!));
        }
        return map;
    }

    private static Dictionary<string, string> ReadMetadata(ref Utf8JsonReader reader, string path)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.TokenType == JsonTokenType.Null) return metadata;
        if (reader.TokenType != JsonTokenType.StartObject) throw Fail(path, "metadata is not an object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            reader.Read();
            // Values are kept as text: strings unescaped, numbers and booleans as written; nested values are ignored.
            string? value = reader.TokenType switch
            {
                JsonTokenType.String => reader.GetString(),
                JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False =>
                    Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan),
                _ => null,
            };
            if (value is null) reader.Skip();
            else if (!metadata.TryAdd(key, value)) throw Fail(path, "metadata key appears twice", key);
        }
        return metadata;
    }

    internal static SafetensorsFormatException Fail(string path, string reason, string? detail = null, Exception? inner = null) =>
        new(ErrorCodes.ShardIndex, path, reason, detail, inner: inner);
}
