using System.Text.Json;
using LoraMerge.Diagnostics;

namespace LoraMerge.Formats;

/// <summary>
/// Reads a safetensors header's JSON with <see cref="Utf8JsonReader"/> (so repeated keys are caught, which
/// <see cref="JsonDocument"/> would silently accept) and checks every entry against the data section.
/// </summary>
internal static class SafetensorsHeaderParser
{
    public const string MetadataKey = "__metadata__";

    public static (TensorInfo[] Tensors, Dictionary<string, string> Metadata) Parse(
        ReadOnlySpan<byte> json, long dataLength, string filePath)
    {
        var (tensors, metadata) = ReadJson(json, filePath);
        ValidateLayout(tensors, dataLength, filePath);
        return (tensors, metadata);
    }

    private static (TensorInfo[], Dictionary<string, string>) ReadJson(ReadOnlySpan<byte> json, string filePath)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        var tensors = new List<TensorInfo>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                throw Fail(ErrorCodes.HeaderJson, filePath, "header is not a JSON object");
            while (ReadOrFail(ref reader, filePath) && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                ReadOrFail(ref reader, filePath);
                if (!seen.Add(name))
                {
                    throw name == MetadataKey
                        ? Fail(ErrorCodes.HeaderJson, filePath, "__metadata__ appears twice")
                        : Fail(ErrorCodes.DuplicateTensor, filePath, "tensor name appears twice", tensorName: name);
                }
                if (name == MetadataKey) ReadMetadata(ref reader, metadata, filePath);
                else tensors.Add(ReadEntry(ref reader, name, filePath));
            }
            if (reader.Read())
                throw Fail(ErrorCodes.HeaderJson, filePath, "header is not valid JSON", "content after the closing brace");
        }
        catch (JsonException ex)
        {
            throw Fail(ErrorCodes.HeaderJson, filePath, "header is not valid JSON", ex.Message, inner: ex);
        }
        catch (InvalidOperationException ex)
        {
            // Utf8JsonReader.GetString reports invalid UTF-8 this way.
            throw Fail(ErrorCodes.HeaderJson, filePath, "header is not valid JSON", ex.Message, inner: ex);
        }
        return (tensors.ToArray(), metadata);
    }

    private static bool ReadOrFail(ref Utf8JsonReader reader, string filePath) =>
        reader.Read() ? true : throw Fail(ErrorCodes.HeaderJson, filePath, "header is not valid JSON", "unexpected end");

    private static void ReadMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata, string filePath)
    {
        if (reader.TokenType == JsonTokenType.Null) return;
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Fail(ErrorCodes.MetadataNotStringMap, filePath, "__metadata__ is not an object of strings");
        while (ReadOrFail(ref reader, filePath) && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            ReadOrFail(ref reader, filePath);
            if (reader.TokenType != JsonTokenType.String)
                throw Fail(ErrorCodes.MetadataNotStringMap, filePath, "__metadata__ value is not a string", $"key '{key}'");
            if (!metadata.TryAdd(key, reader.GetString()!))
                throw Fail(ErrorCodes.MetadataNotStringMap, filePath, "__metadata__ has a repeated key", $"key '{key}'");
        }
    }

    private static TensorInfo ReadEntry(ref Utf8JsonReader reader, string name, string filePath)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw Fail(ErrorCodes.TensorEntry, filePath, "entry is not an object", tensorName: name);
        string? dtypeName = null;
        long[]? shape = null;
        long[]? offsets = null;
        while (ReadOrFail(ref reader, filePath) && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.GetString()!;
            ReadOrFail(ref reader, filePath);
            switch (field)
            {
                case "dtype" when dtypeName is null:
                    dtypeName = reader.TokenType == JsonTokenType.String
                        ? reader.GetString()!
                        : throw Fail(ErrorCodes.TensorEntry, filePath, "dtype is not a string", tensorName: name);
                    break;
                case "shape" when shape is null:
                    shape = ReadIntegers(ref reader, filePath)
                        ?? throw Fail(ErrorCodes.TensorEntry, filePath, "shape is not an array of integers", tensorName: name);
                    break;
                case "data_offsets" when offsets is null:
                    offsets = ReadIntegers(ref reader, filePath);
                    if (offsets is null || offsets.Length != 2)
                        throw Fail(ErrorCodes.TensorEntry, filePath, "data_offsets is not two integers", tensorName: name);
                    break;
                case "dtype" or "shape" or "data_offsets":
                    throw Fail(ErrorCodes.TensorEntry, filePath, "field appears twice", field, name);
                default:
                    throw Fail(ErrorCodes.TensorEntry, filePath, "unexpected field", field, name);
            }
        }
        if (dtypeName is null) throw Fail(ErrorCodes.TensorEntry, filePath, "missing field", "dtype", name);
        if (shape is null) throw Fail(ErrorCodes.TensorEntry, filePath, "missing field", "shape", name);
        if (offsets is null) throw Fail(ErrorCodes.TensorEntry, filePath, "missing field", "data_offsets", name);
        if (!DTypes.TryParse(dtypeName, out var dtype))
            throw Fail(ErrorCodes.UnknownDType, filePath, "unknown dtype", dtypeName, name);
        if (Array.Exists(shape, d => d < 0))
            throw Fail(ErrorCodes.TensorEntry, filePath, "shape has a negative dimension", ShapeText(shape), name);
        if (offsets[0] < 0 || offsets[1] < 0)
            throw Fail(ErrorCodes.TensorEntry, filePath, "data_offsets are negative", ShapeText(offsets), name);
        if (offsets[1] < offsets[0])
            throw Fail(ErrorCodes.TensorEntry, filePath, "data_offsets end before they begin", ShapeText(offsets), name);

        long? wholeBytes;
        try
        {
            wholeBytes = DTypes.ByteLengthOf(dtype, TensorSpec.ElementCount(shape));
        }
        catch (OverflowException)
        {
            throw Fail(ErrorCodes.TensorEntry, filePath, "shape is too large", ShapeText(shape), name);
        }
        if (wholeBytes is not { } byteLength)
        {
            throw Fail(ErrorCodes.PartialByteTensor, filePath, "packed elements do not fill whole bytes",
                $"{dtypeName}{ShapeText(shape)} is {TensorSpec.ElementCount(shape)} x {DTypes.BitsOf(dtype)} bits", name);
        }
        var rangeLength = offsets[1] - offsets[0];
        if (rangeLength != byteLength)
        {
            throw Fail(ErrorCodes.ByteLengthMismatch, filePath, "shape and dtype do not match the byte range",
                $"{dtypeName}{ShapeText(shape)} needs {byteLength} bytes, data_offsets give {rangeLength}", name);
        }
        return new TensorInfo(name, dtype, shape, offsets[0], byteLength);
    }

    /// <summary>Reads an array of integers; null when the value is not one.</summary>
    private static long[]? ReadIntegers(ref Utf8JsonReader reader, string filePath)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return null;
        }
        var values = new List<long>();
        var valid = true;
        while (ReadOrFail(ref reader, filePath) && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value)) values.Add(value);
            else
            {
                valid = false;
                reader.Skip();
            }
        }
        return valid ? values.ToArray() : null;
    }

    private static void ValidateLayout(TensorInfo[] tensors, long dataLength, string filePath)
    {
        foreach (var t in tensors)
        {
            if (t.DataOffset + t.ByteLength > dataLength)
            {
                throw Fail(ErrorCodes.RangeOutsideFile, filePath, "byte range ends past the end of the file",
                    $"range [{t.DataOffset}, {t.DataOffset + t.ByteLength}) but the data section has {dataLength} bytes", t.Name);
            }
        }
        Array.Sort(tensors, CompareByRange);
        long expected = 0;
        TensorInfo? previous = null;
        foreach (var t in tensors)
        {
            if (t.DataOffset < expected)
            {
                throw Fail(ErrorCodes.OverlappingRanges, filePath, "byte ranges overlap",
                    $"[{t.DataOffset}, {t.DataOffset + t.ByteLength}) overlaps '{previous!.Name}' ending at {expected}", t.Name);
            }
            if (t.DataOffset > expected)
            {
                throw Fail(ErrorCodes.GapInData, filePath, "bytes between tensors are not used",
                    $"bytes [{expected}, {t.DataOffset}) before this tensor belong to no tensor", t.Name);
            }
            expected = t.DataOffset + t.ByteLength;
            previous = t;
        }
        if (expected != dataLength)
        {
            throw Fail(ErrorCodes.GapInData, filePath, "trailing bytes are not used",
                $"tensors end at {expected} but the data section has {dataLength} bytes");
        }
    }

    internal static int CompareByRange(TensorInfo a, TensorInfo b)
    {
        var c = a.DataOffset.CompareTo(b.DataOffset);
        if (c == 0) c = a.ByteLength.CompareTo(b.ByteLength);
        return c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
    }

    private static string ShapeText(long[] values) => "[" + string.Join(", ", values) + "]";

    internal static SafetensorsFormatException Fail(
        string code, string filePath, string reason, string? detail = null, string? tensorName = null, Exception? inner = null) =>
        new(code, filePath, reason, detail, tensorName, inner);
}
