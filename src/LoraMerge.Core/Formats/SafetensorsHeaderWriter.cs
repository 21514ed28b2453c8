using System.Buffers;
using System.Buffers.Binary;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LoraMerge.Formats;

/// <summary>
/// Lays tensors out back to back in the given order and renders the header: 8-byte little-endian length, compact JSON
/// (<c>__metadata__</c> first, its keys sorted; then tensors in data order), padded with spaces to a multiple of 8.
/// </summary>
internal static class SafetensorsHeaderWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    public static byte[] Build(IReadOnlyList<TensorSpec> tensors, IReadOnlyDictionary<string, string>? metadata, out TensorInfo[] layout)
    {
        layout = Layout(tensors);
        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json, Options))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(SafetensorsHeaderParser.MetadataKey);
                foreach (var key in metadata.Keys.Order(StringComparer.Ordinal)) writer.WriteString(key, metadata[key]);
                writer.WriteEndObject();
            }
            foreach (var t in layout)
            {
                writer.WriteStartObject(t.Name);
                writer.WriteString("dtype", DTypes.Name(t.DType));
                writer.WriteStartArray("shape");
                foreach (var d in t.Shape) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(t.DataOffset);
                writer.WriteNumberValue(t.DataOffset + t.ByteLength);
                writer.WriteEndArray();
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        var padded = (json.WrittenCount + 7) / 8 * 8;
        var header = new byte[8 + padded];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)padded);
        json.WrittenSpan.CopyTo(header.AsSpan(8));
        header.AsSpan(8 + json.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static TensorInfo[] Layout(IReadOnlyList<TensorSpec> tensors)
    {
        var layout = new TensorInfo[tensors.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        long offset = 0;
        for (var i = 0; i < tensors.Count; i++)
        {
            var spec = tensors[i] ?? throw new ArgumentException($"Tensor spec {i} is null.", nameof(tensors));
            if (spec.Name == SafetensorsHeaderParser.MetadataKey)
                throw new ArgumentException("A tensor cannot be named __metadata__.", nameof(tensors));
            if (!names.Add(spec.Name)) throw new ArgumentException($"Tensor '{spec.Name}' is listed twice.", nameof(tensors));
            layout[i] = new TensorInfo(spec.Name, spec.DType, (long[])spec.Shape.Clone(), offset, spec.ByteLength);
            offset = checked(offset + spec.ByteLength);
        }
        return layout;
    }
}
