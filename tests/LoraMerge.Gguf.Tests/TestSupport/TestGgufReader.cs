using System.Text;

namespace LoraMerge.Gguf.Tests.TestSupport;

/// <summary>A tensor read back from a GGUF file: ggml dimensions (innermost first), type number, raw bytes.</summary>
internal sealed record ReadTensor(string Name, long[] Dimensions, uint Type, byte[] Data);

/// <summary>
/// The tests' own GGUF v3 reader, written from the format's description and independent of the product's
/// <c>GgufFile</c>, so that a round trip through it checks the writer rather than agreeing with itself.
/// </summary>
internal sealed class TestGgufReader
{
    public Dictionary<string, object> Metadata { get; } = new(StringComparer.Ordinal);
    public List<string> KeyOrder { get; } = [];
    public List<ReadTensor> Tensors { get; } = [];

    public ReadTensor Tensor(string name) => Tensors.Single(t => t.Name == name);

    public static TestGgufReader Read(string path)
    {
        var result = new TestGgufReader();
        using var reader = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
        Assert.Equal("GGUF", Encoding.ASCII.GetString(reader.ReadBytes(4)));
        Assert.Equal(3u, reader.ReadUInt32());
        long tensorCount = reader.ReadInt64();
        long kvCount = reader.ReadInt64();
        for (long i = 0; i < kvCount; i++)
        {
            string key = ReadString(reader);
            result.KeyOrder.Add(key);
            result.Metadata.Add(key, ReadValue(reader, reader.ReadUInt32()));
        }
        uint alignment = result.Metadata.TryGetValue("general.alignment", out var a) ? (uint)a : 32;
        var infos = new List<(string Name, long[] Dims, uint Type, long Offset)>();
        for (long i = 0; i < tensorCount; i++)
        {
            string name = ReadString(reader);
            var dims = new long[reader.ReadUInt32()];
            for (int d = 0; d < dims.Length; d++)
                dims[d] = reader.ReadInt64();
            infos.Add((name, dims, reader.ReadUInt32(), reader.ReadInt64()));
        }
        long dataStart = (reader.BaseStream.Position + alignment - 1) / alignment * alignment;
        for (int i = 0; i < infos.Count; i++)
        {
            var (name, dims, type, offset) = infos[i];
            Assert.Equal(0, offset % alignment);
            long elements = dims.Aggregate(1L, (x, y) => x * y);
            long bytes = type switch
            {
                0 => elements * 4,
                1 or 30 => elements * 2,
                8 => elements / 32 * 34,
                _ => throw new InvalidDataException($"type {type}"),
            };
            reader.BaseStream.Position = dataStart + offset;
            var data = reader.ReadBytes((int)bytes);
            Assert.Equal(bytes, data.Length);
            result.Tensors.Add(new ReadTensor(name, dims, type, data));
        }
        return result;
    }

    private static string ReadString(BinaryReader reader) => Encoding.UTF8.GetString(reader.ReadBytes(checked((int)reader.ReadInt64())));

    private static object ReadValue(BinaryReader reader, uint type) => type switch
    {
        0 => reader.ReadByte(),
        1 => reader.ReadSByte(),
        2 => reader.ReadUInt16(),
        3 => reader.ReadInt16(),
        4 => reader.ReadUInt32(),
        5 => reader.ReadInt32(),
        6 => reader.ReadSingle(),
        7 => reader.ReadByte() != 0,
        8 => ReadString(reader),
        9 => ReadArray(reader),
        10 => reader.ReadUInt64(),
        11 => reader.ReadInt64(),
        12 => reader.ReadDouble(),
        _ => throw new InvalidDataException($"value type {type}"),
    };

    private static object[] ReadArray(BinaryReader reader)
    {
        uint element = reader.ReadUInt32();
        var items = new object[reader.ReadInt64()];
        for (int i = 0; i < items.Length; i++)
            items[i] = ReadValue(reader, element);
        return items;
    }
}
