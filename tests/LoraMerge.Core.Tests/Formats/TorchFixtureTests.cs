using System.Text.Json;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Formats;

namespace LoraMerge.Core.Tests.Formats;

/// <summary>Files laid out like safetensors.torch.save_file (tests/fixtures/safetensors/generate.py) read back exactly.</summary>
public sealed class TorchFixtureTests
{
    private static readonly JsonElement Expected =
        JsonDocument.Parse(File.ReadAllBytes(Fixtures.Path("safetensors", "expected.json"))).RootElement;

    public static TheoryData<string> Files => new()
    {
        "torch_basic.safetensors",
        "torch_no_metadata.safetensors",
        "torch_sharded/model-00001-of-00002.safetensors",
        "torch_sharded/model-00002-of-00002.safetensors",
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_tensor_has_the_bytes_and_values_torch_wrote(string relative)
    {
        using var file = SafetensorsFile.Open(Fixtures.Path(["safetensors", .. relative.Split('/')]));
        var expected = Expected.GetProperty(relative);
        Assert.Equal(expected.EnumerateObject().Count(), file.Header.Tensors.Count);
        foreach (var entry in expected.EnumerateObject())
        {
            var tensor = file.Header.Find(entry.Name) ?? throw new Xunit.Sdk.XunitException($"missing {entry.Name}");
            Assert.Equal(entry.Value.GetProperty("dtype").GetString(), DTypes.Name(tensor.DType));
            Assert.Equal(entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()), tensor.Shape);
            Assert.Equal(entry.Value.GetProperty("hex").GetString(), Convert.ToHexStringLower(file.GetBytes(tensor)));
            var values = entry.Value.GetProperty("values").EnumerateArray().ToArray();
            Assert.Equal(values.Length, tensor.ElementCount);
            Assert.Equal(values.Select(Number), Decode(file, tensor));
        }
    }

    [Fact]
    public void Basic_file_keeps_metadata_scalar_and_empty_tensor()
    {
        using var file = SafetensorsFile.Open(Fixtures.Path("safetensors", "torch_basic.safetensors"));
        Assert.Equal(new Dictionary<string, string> { ["format"] = "pt", ["note"] = "fixture" }, file.Header.Metadata);
        var scalar = file.Header.Find("model.scale")!;
        Assert.Empty(scalar.Shape);
        Assert.Equal(0.125f, file.GetSpan<float>(scalar)[0]);
        var empty = file.Header.Find("model.empty")!;
        Assert.Equal([0L, 4L], empty.Shape);
        Assert.True(file.GetBytes(empty).IsEmpty);
        Assert.Equal(0, file.Header.HeaderLength % 8);
    }

    [Fact]
    public void Tensors_are_listed_in_file_order_which_is_alignment_then_name()
    {
        var header = SafetensorsHeader.Read(Fixtures.Path("safetensors", "torch_basic.safetensors"));
        var offsets = header.Tensors.Select(t => t.DataOffset).ToArray();
        Assert.Equal(offsets.Order(), offsets);
        var sizes = header.Tensors.Select(t => DTypes.SizeOf(t.DType)).ToArray();
        Assert.Equal(sizes.OrderDescending(), sizes);
        Assert.Equal("model.double", header.Tensors[0].Name);
        Assert.Equal(header.DataLength, header.Tensors[^1].DataOffset + header.Tensors[^1].ByteLength);
    }

    [Fact]
    public void Transformers_style_index_opens_as_a_sharded_checkpoint()
    {
        var checkpoint = ShardedCheckpoint.Open(Fixtures.Path("safetensors", "torch_sharded"));
        Assert.Equal(Fixtures.Path("safetensors", "torch_sharded", "model.safetensors.index.json"), checkpoint.IndexPath);
        Assert.Equal(["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"], checkpoint.ShardPaths.Select(Path.GetFileName));
        Assert.Equal(checkpoint.AllTensors.Sum(t => t.Tensor.ByteLength).ToString(), checkpoint.IndexMetadata["total_size"]);
        var (shard, tensor) = checkpoint.Find("lm_head.weight");
        Assert.Equal(checkpoint.Shards[1], shard);
        Assert.Equal([3L, 4L], tensor.Shape);
    }

    private static object Number(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => value.GetBoolean() ? 1.0 : 0.0,
        _ => value.GetDouble(),
    };

    private static IEnumerable<object> Decode(SafetensorsFile file, TensorInfo tensor) => tensor.DType switch
    {
        DType.F64 => file.GetSpan<double>(tensor).ToArray().Select(v => (object)v),
        DType.F32 => file.GetSpan<float>(tensor).ToArray().Select(v => (object)(double)v),
        DType.F16 => file.GetSpan<Half>(tensor).ToArray().Select(v => (object)(double)v),
        DType.BF16 => file.GetSpan<ushort>(tensor).ToArray().Select(v => (object)(double)BitConverter.Int32BitsToSingle(v << 16)),
        DType.I64 => file.GetSpan<long>(tensor).ToArray().Select(v => (object)(double)v),
        DType.I32 => file.GetSpan<int>(tensor).ToArray().Select(v => (object)(double)v),
        DType.I16 => file.GetSpan<short>(tensor).ToArray().Select(v => (object)(double)v),
        DType.I8 => file.GetSpan<sbyte>(tensor).ToArray().Select(v => (object)(double)v),
        DType.U8 or DType.BOOL => file.GetSpan<byte>(tensor).ToArray().Select(v => (object)(double)v),
        _ => throw new InvalidOperationException(tensor.DType.ToString()),
    };
}
