using System.Buffers.Binary;
using System.Text;

namespace LoraMerge.Gguf;

/// <summary>
/// The bytes before a GGUF file's data section (GGUF v3: magic, version, counts, metadata, tensor infos, padding) and
/// where each tensor's data goes. Tensors are placed in the order given, each at a multiple of the alignment.
/// The one owner of the file layout: the writer uses it and nothing else computes offsets.
/// </summary>
public sealed class GgufLayout
{
    public const uint Magic = 0x46554747; // "GGUF" read as a little-endian uint32
    public const uint Version = 3;
    public const uint Alignment = 32;
    public const string AlignmentKey = "general.alignment";

    private GgufLayout(byte[] header, IReadOnlyList<GgufTensorPlacement> tensors, long dataLength)
    {
        Header = header;
        Tensors = tensors;
        DataLength = dataLength;
    }

    /// <summary>Everything before the data section, padded to the alignment.</summary>
    public byte[] Header { get; }

    public IReadOnlyList<GgufTensorPlacement> Tensors { get; }

    public long DataLength { get; }

    public long FileLength => Header.Length + DataLength;

    /// <summary>Lays out a file. <c>general.alignment</c> is written first (32), then <paramref name="metadata"/> in order.</summary>
    public static GgufLayout Build(IReadOnlyList<GgufMetadataEntry> metadata, IReadOnlyList<GgufTensorSpec> tensors)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal) { AlignmentKey };
        foreach (var entry in metadata)
            if (!keys.Add(entry.Key))
                throw new ArgumentException($"Metadata key '{entry.Key}' appears twice.", nameof(metadata));
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tensors)
            if (!names.Add(t.Name))
                throw new ArgumentException($"Tensor '{t.Name}' appears twice.", nameof(tensors));

        var entries = metadata.Prepend(new GgufMetadataEntry(AlignmentKey, GgufValue.Of(Alignment))).ToArray();
        var placements = new GgufTensorPlacement[tensors.Count];
        long offset = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            placements[i] = new GgufTensorPlacement(tensors[i], offset);
            offset = Align(checked(offset + tensors[i].ByteLength));
        }

        long length = 4 + 4 + 8 + 8;
        foreach (var e in entries)
            length += GgufValue.StringLength(e.Key) + 4 + e.Value.EncodedLength;
        foreach (var t in tensors)
            length += GgufValue.StringLength(t.Name) + 4 + 8L * t.Shape.Length + 4 + 8;
        var header = new byte[Align(length)];
        var span = header.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Version);
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], (ulong)tensors.Count);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], (ulong)entries.Length);
        int at = 24;
        foreach (var e in entries)
        {
            at += GgufValue.EncodeString(span[at..], e.Key);
            BinaryPrimitives.WriteUInt32LittleEndian(span[at..], (uint)e.Value.Type);
            at += 4;
            at += e.Value.Encode(span[at..]);
        }
        foreach (var p in placements)
        {
            at += GgufValue.EncodeString(span[at..], p.Spec.Name);
            BinaryPrimitives.WriteUInt32LittleEndian(span[at..], (uint)p.Spec.Shape.Length);
            at += 4;
            // ggml lists dimensions innermost first: the reverse of PyTorch's shape.
            for (int d = p.Spec.Shape.Length - 1; d >= 0; d--)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(span[at..], (ulong)p.Spec.Shape[d]);
                at += 8;
            }
            BinaryPrimitives.WriteUInt32LittleEndian(span[at..], (uint)p.Spec.Type);
            BinaryPrimitives.WriteUInt64LittleEndian(span[(at + 4)..], (ulong)p.DataOffset);
            at += 12;
        }
        if (at != length)
            throw new InvalidOperationException($"GGUF header length {at} differs from its computed length {length}.");
        long dataLength = tensors.Count == 0 ? 0 : placements[^1].DataOffset + tensors[^1].ByteLength;
        return new GgufLayout(header, placements, Align(dataLength));
    }

    private static long Align(long n) => (n + Alignment - 1) / Alignment * Alignment;

    private static int Align(int n) => (int)Align((long)n);

    internal static int Utf8Length(string s) => Encoding.UTF8.GetByteCount(s);
}
