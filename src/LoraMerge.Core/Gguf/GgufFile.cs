using System.Buffers.Binary;
using System.Text;
using LoraMerge.Diagnostics;

namespace LoraMerge.Gguf;

/// <summary>A tensor as a GGUF file lists it: ggml dimensions (innermost first), type number and data offset.</summary>
public sealed record GgufTensorInfo(string Name, long[] Dimensions, uint Type, long DataOffset)
{
    /// <summary>The PyTorch-order shape (outermost first).</summary>
    public long[] Shape => Dimensions.Reverse().ToArray();

    public string TypeName => Enum.IsDefined((GgufTensorType)Type) ? GgufTensorTypes.Name((GgufTensorType)Type) : $"ggml type {Type}";
}

/// <summary>
/// The header of a GGUF file (v2 or v3), read in one validating sweep: every length is checked against the file
/// before it is used, so a truncated or hostile file gives <see cref="ErrorCodes.GgufFormat"/> with the file, never
/// an out-of-memory or a read past the end. Tensor data is not read.
/// </summary>
public sealed class GgufFile
{
    private GgufFile(string path, uint version, IReadOnlyList<GgufMetadataEntry> metadata, IReadOnlyList<GgufTensorInfo> tensors, long dataStart, long fileLength)
    {
        FilePath = path;
        Version = version;
        Metadata = metadata;
        Tensors = tensors;
        DataStart = dataStart;
        FileLength = fileLength;
    }

    public string FilePath { get; }
    public uint Version { get; }
    public IReadOnlyList<GgufMetadataEntry> Metadata { get; }
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }
    public long DataStart { get; }
    public long FileLength { get; }

    public GgufValue? Get(string key) => Metadata.FirstOrDefault(e => e.Key == key)?.Value;

    /// <exception cref="LoraException"><see cref="ErrorCodes.FileNotFound"/> or <see cref="ErrorCodes.GgufFormat"/>.</exception>
    public static GgufFile Read(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new LoraException(ErrorCodes.FileNotFound, "The GGUF file does not exist.", full);
        try
        {
            using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            if (!stream.CanSeek)
                throw new LoraException(ErrorCodes.GgufFormat, "Not a regular file.", full);
            return new Sweep(stream, full).Run();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new LoraException(ErrorCodes.ReadFailed, $"The GGUF file could not be read: {e.Message}", full, e);
        }
    }

    private sealed class Sweep(FileStream stream, string path)
    {
        private const int MaxDimensions = 4;
        private readonly byte[] _scratch = new byte[8];
        private readonly long _length = stream.Length;

        public GgufFile Run()
        {
            if (_length < 24)
                throw Bad($"The file has {_length} bytes; a GGUF header needs at least 24.");
            if (U32() != GgufLayout.Magic)
                throw Bad("The file does not start with the GGUF magic.");
            uint version = U32();
            if (version is not (2 or 3))
                throw Bad($"GGUF version {version} is not supported (2 and 3 are).");
            ulong tensorCount = U64(), kvCount = U64();
            // Each entry takes at least 12 (metadata) or 24 (tensor) bytes, so counts beyond that are impossible.
            if (kvCount > (ulong)(_length / 12) || tensorCount > (ulong)(_length / 24))
                throw Bad($"The header claims {kvCount} metadata entries and {tensorCount} tensors, more than the file can hold.");
            var metadata = new List<GgufMetadataEntry>((int)kvCount);
            var keys = new HashSet<string>(StringComparer.Ordinal);
            for (ulong i = 0; i < kvCount; i++)
            {
                string key = String();
                if (!keys.Add(key))
                    throw Bad($"Metadata key '{key}' appears twice.");
                var type = (GgufValueType)U32();
                metadata.Add(new GgufMetadataEntry(key, Value(type, key, depth: 0)));
            }
            uint alignment = metadata.FirstOrDefault(e => e.Key == GgufLayout.AlignmentKey)?.Value is { Type: GgufValueType.UInt32 } a ? a.AsUInt32() : GgufLayout.Alignment;
            if (alignment == 0 || (alignment & (alignment - 1)) != 0)
                throw Bad($"general.alignment {alignment} is not a power of two.");
            var tensors = new List<GgufTensorInfo>((int)tensorCount);
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (ulong i = 0; i < tensorCount; i++)
            {
                string name = String();
                if (!names.Add(name))
                    throw Bad($"Tensor '{name}' appears twice.");
                uint dims = U32();
                if (dims is 0 or > MaxDimensions)
                    throw Bad($"Tensor '{name}' has {dims} dimensions (1 to {MaxDimensions} are allowed).");
                var shape = new long[dims];
                for (int d = 0; d < dims; d++)
                {
                    ulong n = U64();
                    if (n > long.MaxValue / 2)
                        throw Bad($"Tensor '{name}' has an impossible dimension {n}.");
                    shape[d] = (long)n;
                }
                uint type = U32();
                ulong offset = U64();
                if (offset % alignment != 0 || offset > (ulong)_length)
                    throw Bad($"Tensor '{name}' has data offset {offset}, not a multiple of the alignment {alignment} or past the end of the file.");
                tensors.Add(new GgufTensorInfo(name, shape, type, (long)offset));
            }
            long dataStart = (stream.Position + alignment - 1) / alignment * alignment;
            foreach (var t in tensors)
                CheckData(t, dataStart);
            return new GgufFile(path, version, metadata, tensors, dataStart, _length);
        }

        private void CheckData(GgufTensorInfo t, long dataStart)
        {
            if (!Enum.IsDefined((GgufTensorType)t.Type))
                return; // a type LoraMerge does not write: its size is not known here, so only the offset was checked
            long bytes;
            try
            {
                var shape = t.Shape;
                long columns = shape[^1];
                long rows = shape.Length == 1 ? 1 : shape[..^1].Aggregate(1L, (x, y) => checked(x * y));
                bytes = checked(rows * GgufTensorTypes.RowBytes((GgufTensorType)t.Type, columns));
            }
            catch (Exception e) when (e is OverflowException or ArgumentException)
            {
                throw Bad($"Tensor '{t.Name}' ({t.TypeName}, [{string.Join(", ", t.Shape)}]) has no valid size: {e.Message}");
            }
            if (dataStart + t.DataOffset + bytes > _length)
                throw Bad($"Tensor '{t.Name}' needs {bytes} bytes at {dataStart + t.DataOffset}, past the end of the file ({_length} bytes): the file is truncated.");
        }

        private GgufValue Value(GgufValueType type, string key, int depth)
        {
            switch (type)
            {
                case GgufValueType.UInt8: return GgufValue.Read(type, Bytes(1)[0]);
                case GgufValueType.Int8: return GgufValue.Read(type, (sbyte)Bytes(1)[0]);
                case GgufValueType.UInt16: return GgufValue.Read(type, BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2)));
                case GgufValueType.Int16: return GgufValue.Read(type, BinaryPrimitives.ReadInt16LittleEndian(Bytes(2)));
                case GgufValueType.UInt32: return GgufValue.Read(type, U32());
                case GgufValueType.Int32: return GgufValue.Read(type, BinaryPrimitives.ReadInt32LittleEndian(Bytes(4)));
                case GgufValueType.Float32: return GgufValue.Read(type, BinaryPrimitives.ReadSingleLittleEndian(Bytes(4)));
                case GgufValueType.Bool:
                    byte b = Bytes(1)[0];
                    return b <= 1 ? GgufValue.Read(type, b == 1) : throw Bad($"'{key}': bool value {b} is neither 0 nor 1.");
                case GgufValueType.String: return GgufValue.Read(type, String());
                case GgufValueType.UInt64: return GgufValue.Read(type, U64());
                case GgufValueType.Int64: return GgufValue.Read(type, BinaryPrimitives.ReadInt64LittleEndian(Bytes(8)));
                case GgufValueType.Float64: return GgufValue.Read(type, BinaryPrimitives.ReadDoubleLittleEndian(Bytes(8)));
                case GgufValueType.Array when depth == 0:
                    var element = (GgufValueType)U32();
                    ulong count = U64();
                    if (count > (ulong)(_length - stream.Position))
                        throw Bad($"'{key}': an array of {count} elements does not fit in the rest of the file.");
                    return element switch
                    {
                        GgufValueType.String => GgufValue.Read(type, Array(count, () => String()), element),
                        GgufValueType.Int32 => GgufValue.Read(type, Array(count, () => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4))), element),
                        GgufValueType.Float32 => GgufValue.Read(type, Array(count, () => BinaryPrimitives.ReadSingleLittleEndian(Bytes(4))), element),
                        GgufValueType.UInt32 => GgufValue.Read(type, Array(count, U32), element),
                        _ => GgufValue.Read(type, Array(count, () => Value(element, key, depth + 1).Raw), element),
                    };
                default:
                    throw Bad($"'{key}' has value type {(uint)type}, which GGUF does not define{(depth > 0 ? " inside an array" : "")}.");
            }
        }

        private static T[] Array<T>(ulong count, Func<T> read)
        {
            var items = new T[count];
            for (ulong i = 0; i < count; i++)
                items[i] = read();
            return items;
        }

        private string String()
        {
            ulong length = U64();
            if (length > (ulong)(_length - stream.Position))
                throw Bad($"A string of {length} bytes at offset {stream.Position - 8} runs past the end of the file.");
            var bytes = new byte[length];
            stream.ReadExactly(bytes);
            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw Bad($"The string at offset {stream.Position - (long)length} is not valid UTF-8.");
            }
        }

        private uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4));

        private ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8));

        private ReadOnlySpan<byte> Bytes(int n)
        {
            if (stream.Position + n > _length)
                throw Bad($"The header ends early, at offset {stream.Position} of {_length}: the file is truncated.");
            stream.ReadExactly(_scratch, 0, n);
            return _scratch.AsSpan(0, n);
        }

        private LoraException Bad(string message) => new(ErrorCodes.GgufFormat, message, path);
    }
}
