using System.Runtime.InteropServices;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Formats;
using static LoraMerge.Core.Tests.Formats.SampleFiles;

namespace LoraMerge.Core.Tests.Formats;

/// <summary>Write, then read back: same names, dtypes, shapes, bytes and values; same bytes every time.</summary>
public sealed class SafetensorsRoundTripTests : IDisposable
{
    private readonly TempDirectory _temp = new("st-roundtrip");

    public void Dispose() => _temp.Dispose();

    private static readonly TensorSpec[] MixedSpecs =
    [
        Spec("z.f32", DType.F32, 3, 5),
        Spec("a.bf16", DType.BF16, 7),
        Spec("scalar", DType.F64),
        Spec("empty", DType.F16, 0, 3),
        Spec("mask", DType.BOOL, 3),
        Spec("ids", DType.I64, 2, 2),
        Spec("fp8", DType.F8_E4M3, 5),
        Spec("u16", DType.U16, 1),
    ];

    [Fact]
    public void Bytes_and_layout_survive_a_round_trip()
    {
        var path = _temp.File("mixed.safetensors");
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["ünïcode \"quoted\"+<>"] = "välue\n" };
        var layout = Write(path, MixedSpecs, metadata);

        using var file = SafetensorsFile.Open(path);
        Assert.Equal(metadata, file.Header.Metadata);
        Assert.Equal(MixedSpecs.Select(s => s.Name), file.Header.Tensors.Select(t => t.Name));
        for (var i = 0; i < MixedSpecs.Length; i++)
        {
            var tensor = file.Header.Tensors[i];
            Assert.Equal(MixedSpecs[i].DType, tensor.DType);
            Assert.Equal(MixedSpecs[i].Shape, tensor.Shape);
            Assert.Equal(layout[i], tensor with { Shape = layout[i].Shape });
            Assert.Equal(BytesFor(i, MixedSpecs[i].ByteLength), file.GetBytes(tensor).ToArray());
        }
    }

    [Fact]
    public void Float_values_survive_a_round_trip()
    {
        var values = new[] { 0f, -0f, 1.5f, float.MaxValue, float.Epsilon, float.NegativeInfinity, 3.14159f, -2e-38f };
        var path = _temp.File("values.safetensors");
        using (var writer = SafetensorsWriter.Create(path, [Spec("v", DType.F32, 2, 4)], null))
        {
            writer.WriteTensor(0, MemoryMarshal.AsBytes(values.AsSpan()));
            writer.Commit();
        }
        using var file = SafetensorsFile.Open(path);
        Assert.Equal(values, file.GetSpan<float>(file.Header.Tensors[0]).ToArray());
        Assert.Empty(file.Header.Metadata);
    }

    [Fact]
    public void Same_specs_give_the_same_bytes_whatever_the_write_order()
    {
        var inOrder = _temp.File("a.safetensors");
        Write(inOrder, MixedSpecs, new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" });

        var shuffled = _temp.File("b.safetensors");
        using (var writer = SafetensorsWriter.Create(shuffled, MixedSpecs, new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }))
        {
            // Backwards, one byte at a time from the end of each tensor, from several threads.
            Parallel.For(0, MixedSpecs.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, k =>
            {
                var i = MixedSpecs.Length - 1 - k;
                var bytes = BytesFor(i, MixedSpecs[i].ByteLength);
                for (var p = bytes.Length - 1; p >= 0; p--) writer.Write(i, p, bytes.AsSpan(p, 1));
            });
            writer.Commit();
        }
        Assert.Equal(File.ReadAllBytes(inOrder), File.ReadAllBytes(shuffled));
    }

    [Fact]
    public void Header_is_compact_metadata_first_and_padded_with_spaces_to_8()
    {
        var path = _temp.File("header.safetensors");
        Write(path, [Spec("w", DType.F32, 2), Spec("b", DType.BF16, 1)], new Dictionary<string, string> { ["format"] = "pt" });
        var bytes = File.ReadAllBytes(path);
        var n = (int)BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0, n % 8);
        var json = System.Text.Encoding.UTF8.GetString(bytes, 8, n);
        const string expected =
            """{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[8,10]}}""";
        Assert.Equal(expected, json.TrimEnd(' '));
        Assert.Equal(n - expected.Length, json.Length - json.TrimEnd(' ').Length);
        Assert.True(n - expected.Length < 8);
        Assert.Equal(8 + n + 10, bytes.Length);
    }

    [Fact]
    public void File_without_tensors_round_trips()
    {
        var path = _temp.File("nothing.safetensors");
        Write(path, [], null);
        var header = SafetensorsHeader.Read(path);
        Assert.Empty(header.Tensors);
        Assert.Equal(0, header.DataLength);
        Assert.Equal("{}      ", System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(path), 8, 8));
    }

    [Fact]
    public void Large_tensor_written_in_chunks_reads_back_through_pointer_and_span()
    {
        var path = _temp.File("chunks.safetensors");
        const int count = 1 << 18;
        using (var writer = SafetensorsWriter.Create(path, [Spec("big", DType.I32, count)], null))
        {
            var chunk = new int[4096];
            for (var start = 0; start < count; start += chunk.Length)
            {
                for (var j = 0; j < chunk.Length; j++) chunk[j] = (start + j) * 3;
                writer.Write(0, start * 4L, MemoryMarshal.AsBytes(chunk.AsSpan()));
            }
            writer.Commit();
        }
        using var file = SafetensorsFile.Open(path);
        var span = file.GetSpan<int>(file.Header.Tensors[0]);
        Assert.Equal(count, span.Length);
        for (var i = 0; i < count; i++) Assert.Equal(i * 3, span[i]);
        unsafe
        {
            var pointer = (int*)file.GetPointer(file.Header.Tensors[0]);
            Assert.Equal((count - 1) * 3, pointer[count - 1]);
        }
    }
}
