using System.Text.Json;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using LoraMerge.Merging;

namespace LoraMerge.Core.Tests.Merging;

/// <summary>
/// LORA1212: adapters (or layers) that PEFT's add_weighted_adapter does not combine are refused before anything is
/// written, with the adapter file at fault and a message that says why.
/// </summary>
public sealed class CombinationRefusalTests
{
    /// <summary>Merge fixtures whose one adapter has a part the combined adapter would drop, and what the message names.</summary>
    public static TheoryData<string, string> Uncombinable() => new()
    {
        { "loha_bf16", "LOHA adapter (add_weighted_adapter combines LoRA adapters)" },
        { "dora_linear_bf16", "it uses DoRA (use_dora)" },
        { "lora_bias_f32", "lora_bias" },
        { "modules_to_save_f32", "(modules_to_save)" },
        { "bias_all_bf16", "trains the base bias" },
    };

    [Theory]
    [MemberData(nameof(Uncombinable))]
    public void AnAdapterWithAPartAddWeightedAdapterDropsIsRefused(string fixture, string why)
    {
        using var temp = new TempDirectory();
        string adapter = Path.GetFullPath(Fixtures.Path("merge", fixture, "adapters", "a"));
        // A second adapter beside it, so the combination is not reduced to one adapter's linear.
        string copy = temp.File("b");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(adapter))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        var options = new MergeOptions
        {
            BaseModelDirectory = Fixtures.Path("merge", fixture, "base"),
            Adapters = [new AdapterInput(adapter, 0.7), new AdapterInput(copy, -0.4)],
            OutputDirectory = temp.File("out"),
            Combination = new AdapterCombination(CombinationType.Cat),
        };
        var error = Assert.Throws<LoraException>(() => MergeEngine.Merge(options));
        Assert.Equal(ErrorCodes.CombinationUnsupported, error.Code);
        Assert.Equal(Path.Combine(adapter, "adapter_config.json"), error.FilePath);
        Assert.StartsWith("The adapter cannot be combined: ", error.Message);
        Assert.Contains(why, error.Message);
        Assert.False(Directory.Exists(temp.File("out")));
    }

    [Fact]
    public void TrainableTokensOfTheSecondAdapterAreRefusedAtThatAdapter()
    {
        using var temp = new TempDirectory();
        string baseDir = SyntheticModels.WriteBase(temp.Path, DType.F32, 1);
        string plain = SyntheticModels.WriteAdapter(temp.Path, "a", rank: 4, alpha: 8, seed: 2);
        string tokens = SyntheticModels.WriteAdapter(temp.Path, "b", rank: 4, alpha: 8, seed: 3,
            configExtras: new Dictionary<string, object?> { ["trainable_token_indices"] = new Dictionary<string, int[]> { ["embed_tokens"] = [1, 3] } },
            extraTensors: [("base_model.model.model.embed_tokens.token_adapter.trainable_tokens_delta", [2, SyntheticModels.Hidden], new float[2 * SyntheticModels.Hidden])]);
        var options = new MergeOptions
        {
            BaseModelDirectory = baseDir,
            Adapters = [new AdapterInput(plain, 0.7), new AdapterInput(tokens, -0.4)],
            OutputDirectory = temp.File("out"),
            Combination = new AdapterCombination(CombinationType.Linear),
        };
        var error = Assert.Throws<LoraException>(() => MergeEngine.Merge(options));
        Assert.Equal(ErrorCodes.CombinationUnsupported, error.Code);
        Assert.Equal(Path.Combine(tokens, "adapter_config.json"), error.FilePath);
        Assert.Contains("it has trainable tokens", error.Message);
        // Without a combination the same adapters merge.
        MergeEngine.Merge(options with { Combination = null });
    }

    /// <summary>PEFT's _svd types reshape only Conv2d deltas into a matrix: Conv1d and Conv3d LoRA layers are refused, cat combines them.</summary>
    [Theory]
    [InlineData(new long[] { 3 }, "Conv1d")]
    [InlineData(new long[] { 2, 2, 2 }, "Conv3d")]
    public void SvdTypesRefuseConv1dAndConv3dLayers(long[] kernel, string layer)
    {
        using var temp = new TempDirectory();
        var (baseDir, a, b) = ConvModel(temp.Path, kernel);
        MergeOptions Options(CombinationType type, string output) => new()
        {
            BaseModelDirectory = baseDir,
            Adapters = [new AdapterInput(a, 0.7), new AdapterInput(b, -0.4)],
            OutputDirectory = temp.File(output),
            Combination = new AdapterCombination(type, Density: 0.5),
        };
        foreach (var type in new[] { CombinationType.Svd, CombinationType.TiesSvd, CombinationType.DareLinearSvd })
        {
            var error = Assert.Throws<LoraException>(() => MergeEngine.Merge(Options(type, "svd")));
            Assert.Equal(ErrorCodes.CombinationUnsupported, error.Code);
            Assert.Equal(Path.Combine(a, "adapter_model.safetensors"), error.FilePath);
            Assert.Contains("'conv.weight' has shape", error.Message);
            Assert.Contains("_svd combinations handle Linear, Embedding and Conv2d layers only", error.Message);
            Assert.False(Directory.Exists(temp.File("svd")), layer);
        }
        MergeEngine.Merge(Options(CombinationType.Cat, "cat"));
        Assert.True(File.Exists(temp.File("cat", "model.safetensors")), layer);
    }

    /// <summary>A base with one convolution <c>conv</c> (6 out, 4 in channels, the given kernel) and two rank-2 LoRA adapters on it.</summary>
    private static (string Base, string A, string B) ConvModel(string root, long[] kernel)
    {
        long kernelSize = kernel.Aggregate(1L, (x, y) => x * y);
        string baseDir = Directory.CreateDirectory(Path.Combine(root, "base")).FullName;
        File.WriteAllText(Path.Combine(baseDir, "config.json"),
            """{"architectures": ["TinyConvNet"], "model_type": "tiny_conv", "torch_dtype": "float32"}""");
        SyntheticModels.WriteSafetensors(Path.Combine(baseDir, "model.safetensors"), DType.F32,
            [("conv.weight", [6, 4, .. kernel], Values(6 * 4 * kernelSize, 1))]);
        string Adapter(string name, int seed)
        {
            string dir = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
            File.WriteAllText(Path.Combine(dir, "adapter_config.json"), JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["peft_type"] = "LORA", ["task_type"] = null, ["r"] = 2, ["lora_alpha"] = 4, ["target_modules"] = new[] { "conv" }, ["bias"] = "none",
            }));
            long[] ones = kernel.Select(_ => 1L).ToArray();
            SyntheticModels.WriteSafetensors(Path.Combine(dir, "adapter_model.safetensors"), DType.F32,
            [
                ("base_model.model.conv.lora_A.weight", [2, 4, .. kernel], Values(2 * 4 * kernelSize, seed)),
                ("base_model.model.conv.lora_B.weight", [6, 2, .. ones], Values(6 * 2, seed + 1)),
            ]);
            return dir;
        }
        return (baseDir, Adapter("a", 2), Adapter("b", 4));
    }

    private static float[] Values(long count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, checked((int)count)).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
    }
}
