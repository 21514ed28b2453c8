using System.Runtime.InteropServices;
using System.Text.Json;
using LoraMerge.Formats;
using LoraMerge.Gguf.Tests.TestSupport;
using LoraMerge.Merging;

namespace LoraMerge.Gguf.Tests;

/// <summary>
/// Every tensor of a GGUF written by a merge, read back with the tests' own reader, equals the merged safetensors
/// tensor of the same run under llama.cpp's converter's rules (name, q/k row order, type), bit for bit.
/// </summary>
public sealed class GgufMergeRoundTripTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("loramerge-gguf-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    public static TheoryData<string, string> CasesAndTypes()
    {
        var data = new TheoryData<string, string>();
        foreach (string name in GgufFixtures.LlamaFamilyMergeCases())
            foreach (var type in new[] { "f32", "f16", "bf16", "q8_0" })
                data.Add(name, type);
        return data;
    }

    [Theory]
    [MemberData(nameof(CasesAndTypes))]
    public void MergeCaseRoundTrips(string name, string type)
    {
        var options = GgufFixtures.CaseWithTokenizer(name, _temp);
        AssertRoundTrip(options, type);
    }

    [Theory]
    [InlineData("f32")]
    [InlineData("f16")]
    [InlineData("bf16")]
    [InlineData("q8_0")]
    public void SampleRoundTrips(string type) => AssertRoundTrip(new MergeOptions
    {
        BaseModelDirectory = GgufFixtures.SampleModel,
        Adapters = [new AdapterInput(GgufFixtures.SampleAdapter)],
        OutputDirectory = Path.Combine(_temp, "out"),
    }, type);

    [Fact]
    public void SameInputsGiveTheSameBytes()
    {
        var options = GgufFixtures.CaseWithTokenizer("linear_bf16", _temp) with { Formats = OutputFormats.Gguf };
        MergeEngine.Merge(options);
        MergeEngine.Merge(options with { OutputDirectory = Path.Combine(_temp, "again") });
        Assert.Equal(File.ReadAllBytes(Path.Combine(options.OutputDirectory, GgufArtifact.FileName)),
            File.ReadAllBytes(Path.Combine(_temp, "again", GgufArtifact.FileName)));
    }

    [Fact]
    public void GgufOnlyWritesNoSafetensorsAndRecordsTheHash()
    {
        var options = GgufFixtures.CaseWithTokenizer("two_adapters_weighted_bf16", _temp) with { Formats = OutputFormats.Gguf, GgufType = GgufTensorType.Q8_0 };
        MergeEngine.Merge(options);
        var files = Directory.GetFiles(options.OutputDirectory).Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["lora-merge.json", GgufArtifact.FileName], files);
        using var report = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(options.OutputDirectory, "lora-merge.json")));
        var output = report.RootElement.GetProperty("outputs").EnumerateArray().Single();
        Assert.Equal(GgufArtifact.FileName, output.GetProperty("path").GetString());
        string sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(options.OutputDirectory, GgufArtifact.FileName))));
        Assert.Equal(sha, output.GetProperty("sha256").GetString());
        Assert.Equal("q8_0", report.RootElement.GetProperty("options").GetProperty("ggufType").GetString());
        Assert.Equal(["gguf"], report.RootElement.GetProperty("options").GetProperty("formats").EnumerateArray().Select(e => e.GetString()!).ToArray());
    }

    private void AssertRoundTrip(MergeOptions options, string typeName)
    {
        Assert.True(GgufTensorTypes.TryParse(typeName, out var type));
        MergeEngine.Merge(options with { Formats = OutputFormats.Safetensors | OutputFormats.Gguf, GgufType = type });
        var gguf = TestGgufReader.Read(Path.Combine(options.OutputDirectory, GgufArtifact.FileName));
        using var configDoc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(options.BaseModelDirectory, "config.json")));
        var config = configDoc.RootElement;
        string arch = config.GetProperty("architectures")[0].GetString() == "Qwen2ForCausalLM" ? "qwen2" : "llama";
        bool tied = !config.TryGetProperty("tie_word_embeddings", out var t) || t.GetBoolean();
        int heads = config.GetProperty("num_attention_heads").GetInt32();
        int kvHeads = config.GetProperty("num_key_value_heads").GetInt32();

        Assert.Equal(arch, gguf.Metadata["general.architecture"]);
        Assert.Equal((uint)config.GetProperty("num_hidden_layers").GetInt32(), gguf.Metadata[$"{arch}.block_count"]);
        Assert.Equal((uint)config.GetProperty("hidden_size").GetInt32(), gguf.Metadata[$"{arch}.embedding_length"]);
        Assert.Equal((uint)kvHeads, gguf.Metadata[$"{arch}.attention.head_count_kv"]);
        Assert.Equal((uint)32, gguf.Metadata["general.alignment"]);

        var merged = Directory.GetFiles(options.OutputDirectory, "*.safetensors").Select(SafetensorsFile.Open).ToArray();
        try
        {
            var expectedNames = new List<string>();
            foreach (var file in merged)
            {
                foreach (var tensor in file.Header.Tensors)
                {
                    string? ggufName = ExpectedName(tensor.Name, tied);
                    if (ggufName is null)
                        continue;
                    expectedNames.Add(ggufName);
                    var read = gguf.Tensor(ggufName);
                    Assert.Equal(tensor.Shape.Reverse().ToArray(), read.Dimensions);
                    var values = Widen(tensor.DType, file.GetSpan<byte>(tensor));
                    int permuteHeads = arch != "llama" ? 0 : ggufName.Contains(".attn_q.") ? heads : ggufName.Contains(".attn_k.") ? kvHeads : 0;
                    if (permuteHeads > 0)
                        values = Permute(values, tensor.Shape[0], permuteHeads);
                    var (expectedType, expectedBytes) = Encode(values, tensor.Shape, type);
                    Assert.Equal(expectedType, read.Type);
                    Assert.True(expectedBytes.AsSpan().SequenceEqual(read.Data), $"{ggufName} ({typeName}) differs from the merged safetensors tensor");
                }
            }
            Assert.Equal(expectedNames.Order(StringComparer.Ordinal), gguf.Tensors.Select(x => x.Name).Order(StringComparer.Ordinal));
        }
        finally
        {
            foreach (var f in merged)
                f.Dispose();
        }
    }

    /// <summary>llama.cpp's tensor names, as its converter's table states them.</summary>
    private static string? ExpectedName(string name, bool tied)
    {
        if (name == "model.embed_tokens.weight") return "token_embd.weight";
        if (name == "model.norm.weight") return "output_norm.weight";
        if (name == "lm_head.weight") return tied ? null : "output.weight";
        var parts = name.Split('.');
        string suffix = parts[^1];
        string module = string.Join('.', parts[3..^1]);
        string part = module switch
        {
            "input_layernorm" => "attn_norm",
            "post_attention_layernorm" => "ffn_norm",
            "self_attn.q_proj" => "attn_q",
            "self_attn.k_proj" => "attn_k",
            "self_attn.v_proj" => "attn_v",
            "self_attn.o_proj" => "attn_output",
            "mlp.gate_proj" => "ffn_gate",
            "mlp.up_proj" => "ffn_up",
            "mlp.down_proj" => "ffn_down",
            _ => throw new InvalidOperationException(name),
        };
        return $"blk.{parts[2]}.{part}.{suffix}";
    }

    private static float[] Widen(DType dtype, ReadOnlySpan<byte> bytes) => dtype switch
    {
        DType.F32 => MemoryMarshal.Cast<byte, float>(bytes).ToArray(),
        DType.F16 => MemoryMarshal.Cast<byte, Half>(bytes).ToArray().Select(h => (float)h).ToArray(),
        DType.BF16 => MemoryMarshal.Cast<byte, ushort>(bytes).ToArray().Select(b => BitConverter.UInt32BitsToSingle((uint)b << 16)).ToArray(),
        _ => throw new InvalidOperationException(dtype.ToString()),
    };

    /// <summary>The converter's <c>w.reshape(heads, 2, rows/heads/2, ...).swapaxes(1, 2)</c>, on rows (or elements of a vector).</summary>
    private static float[] Permute(float[] values, long rows, int heads)
    {
        int columns = (int)(values.Length / rows);
        int half = (int)(rows / heads / 2);
        var result = new float[values.Length];
        for (int h = 0; h < heads; h++)
            for (int i = 0; i < 2; i++)
                for (int j = 0; j < half; j++)
                    Array.Copy(values, ((h * 2 + i) * half + j) * columns, result, ((h * half + j) * 2 + i) * columns, columns);
        return result;
    }

    private static (uint Type, byte[] Bytes) Encode(float[] values, long[] shape, GgufTensorType requested)
    {
        if (shape.Length == 1 || requested == GgufTensorType.F32)
            return (0, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
        if (requested == GgufTensorType.F16 || (requested == GgufTensorType.Q8_0 && shape[^1] % 32 != 0))
            return (1, MemoryMarshal.AsBytes(values.Select(v => (Half)v).ToArray().AsSpan()).ToArray());
        if (requested == GgufTensorType.BF16)
            return (30, MemoryMarshal.AsBytes(values.Select(Bf16).ToArray().AsSpan()).ToArray());
        var bytes = new byte[values.Length / 32 * 34];
        long columns = shape[^1];
        for (long r = 0; r < values.Length / columns; r++)
            Q8Quantizer.QuantizeRow(values.AsSpan((int)(r * columns), (int)columns), bytes.AsSpan((int)(r * columns / 32 * 34)));
        return (8, bytes);
    }

    private static ushort Bf16(float v)
    {
        if (float.IsNaN(v)) return 0x7FC0;
        uint bits = BitConverter.SingleToUInt32Bits(v);
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }
}
