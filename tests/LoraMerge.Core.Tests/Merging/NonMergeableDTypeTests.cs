using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using LoraMerge.Merging;
using LoraMerge.Tests.Shared;

namespace LoraMerge.Core.Tests.Merging;

/// <summary>
/// A base holding tensors a merge cannot compute on (F8, F6, F4, E8M0 scales, integers, complex) copies them through
/// byte for byte; an adapter that targets one fails the preflight with LORA1204.
/// </summary>
public sealed class NonMergeableDTypeTests : IDisposable
{
    private readonly TempDirectory _temp = new("nonmergeable");

    public void Dispose() => _temp.Dispose();

    private static readonly TensorSpec[] Extra =
    [
        new("model.layers.0.mlp.up_proj.weight", DType.F8_E4M3, [SyntheticModels.Intermediate, SyntheticModels.Hidden]),
        new("model.layers.0.mlp.up_proj.weight_scale", DType.F8_E8M0, [SyntheticModels.Intermediate]),
        new("model.layers.0.mlp.gate_proj.blocks", DType.F4, [SyntheticModels.Intermediate, 3, 2]),
        new("model.layers.0.mlp.gate_proj.fp8", DType.F8_E5M2FNUZ, [7]),
        new("model.layers.0.mlp.gate_proj.fp6", DType.F6_E3M2, [4, 3]),
        new("model.layers.0.self_attn.position_ids", DType.I64, [5]),
        new("model.layers.0.self_attn.phases", DType.C64, [3]),
    ];

    [Theory]
    [InlineData(null)]
    [InlineData(600L)]
    public void UntargetedTensorsOfEveryOtherDTypeAreCopiedBitForBit(long? maxShardSize)
    {
        string baseDir = SyntheticModels.WriteBase(_temp.Path, DType.BF16, seed: 1);
        var written = SafetensorsRewrite.Rewrite(Path.Combine(baseDir, "model.safetensors"), new Dictionary<string, DType>(), Extra);
        string adapter = SyntheticModels.WriteAdapter(_temp.Path, "adapter", rank: 4, alpha: 8, seed: 2);

        var result = MergeEngine.Merge(new MergeOptions
        {
            BaseModelDirectory = baseDir,
            Adapters = [new AdapterInput(adapter)],
            OutputDirectory = _temp.File("out"),
            MaxShardSize = maxShardSize,
        });

        var outputs = Directory.GetFiles(result.OutputDirectory, "*.safetensors");
        if (maxShardSize is not null)
            Assert.True(outputs.Length > 1);
        var found = new Dictionary<string, (DType, long[], byte[])>(StringComparer.Ordinal);
        foreach (var path in outputs)
        {
            using var file = SafetensorsFile.Open(path);
            foreach (var t in file.Header.Tensors)
                found[t.Name] = (t.DType, t.Shape, file.GetBytes(t).ToArray());
        }
        foreach (var spec in Extra)
        {
            var (dtype, shape, bytes) = found[spec.Name];
            Assert.Equal(spec.DType, dtype);
            Assert.Equal(spec.Shape, shape);
            Assert.True(written[spec.Name].AsSpan().SequenceEqual(bytes), $"{spec.Name} ({spec.DType}) changed");
        }
    }

    [Theory]
    [InlineData(DType.F8_E4M3)]
    [InlineData(DType.F8_E5M2)]
    [InlineData(DType.F8_E8M0)]
    [InlineData(DType.F8_E4M3FNUZ)]
    [InlineData(DType.F6_E2M3)]
    [InlineData(DType.F4)]
    [InlineData(DType.C64)]
    public void ALoraTargetingSuchATensorFailsThePreflight(DType dtype)
    {
        string baseDir = SyntheticModels.WriteBase(_temp.Path, DType.BF16, seed: 1);
        SafetensorsRewrite.Rewrite(Path.Combine(baseDir, "model.safetensors"),
            new Dictionary<string, DType> { ["model.layers.0.self_attn.v_proj.weight"] = dtype }, []);
        string adapter = SyntheticModels.WriteAdapter(_temp.Path, "adapter", rank: 4, alpha: 8, seed: 2);
        var options = new MergeOptions
        {
            BaseModelDirectory = baseDir,
            Adapters = [new AdapterInput(adapter)],
            OutputDirectory = _temp.File("out"),
        };

        var e = Assert.ThrowsAny<LoraException>(() => MergeEngine.Merge(options));
        Assert.Equal(ErrorCodes.UnsupportedDType, e.Code);
        Assert.Contains($"'model.layers.0.self_attn.v_proj.weight' is {dtype}", e.Message);
        Assert.Equal(Path.Combine(baseDir, "model.safetensors"), e.FilePath);
        Assert.False(Directory.Exists(options.OutputDirectory));
    }
}
