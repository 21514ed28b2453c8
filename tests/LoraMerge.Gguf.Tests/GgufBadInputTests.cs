using System.Text.Json.Nodes;
using LoraMerge.Diagnostics;
using LoraMerge.Formats;
using LoraMerge.Gguf.Tests.TestSupport;
using LoraMerge.Merging;
using LoraMerge.Tests.Shared;

namespace LoraMerge.Gguf.Tests;

/// <summary>Inputs a GGUF cannot be written from: a coded error naming the file, and nothing in the output folder.</summary>
public sealed class GgufBadInputTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("loramerge-gguf-bad-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Theory]
    [InlineData("gpt2_conv1d_bf16", "GPT2LMHeadModel")]
    [InlineData("conv2d_f32", "TinyConvNet")]
    public void UnsupportedArchitectureIsNamed(string name, string architecture)
    {
        var options = GgufFixtures.CaseWithTokenizer(name, _temp) with { Formats = OutputFormats.Gguf };
        var error = AssertFailsWithNothingWritten(options, ErrorCodes.UnsupportedArchitecture);
        Assert.Contains(architecture, error.Message);
        Assert.Contains("LlamaForCausalLM", error.Message);
        Assert.Equal(Path.Combine(options.BaseModelDirectory, "config.json"), error.FilePath);
    }

    [Fact]
    public void VocabularySizeThatDoesNotMatchTheEmbedding()
    {
        var options = GgufFixtures.CaseWithTokenizer("linear_bf16", _temp) with { Formats = OutputFormats.Gguf };
        EditConfig(options, c => c["vocab_size"] = 64);
        var error = AssertFailsWithNothingWritten(options, ErrorCodes.VocabularySizeMismatch);
        Assert.Contains("64", error.Message);
        Assert.Contains("[50, 16]", error.Message);
    }

    [Fact]
    public void TokenizerLargerThanTheEmbedding()
    {
        var options = GgufFixtures.CaseWithTokenizer("linear_bf16", _temp) with { Formats = OutputFormats.Gguf };
        GgufFixtures.WriteCharTokenizer(options.BaseModelDirectory, 51);
        AssertFailsWithNothingWritten(options, ErrorCodes.VocabularySizeMismatch);
    }

    [Fact]
    public void MissingTokenizerFiles()
    {
        var options = GgufFixtures.CaseWithTokenizer("linear_bf16", _temp) with { Formats = OutputFormats.Gguf };
        File.Delete(Path.Combine(options.BaseModelDirectory, "vocab.json"));
        File.Delete(Path.Combine(options.BaseModelDirectory, "tokenizer_config.json"));
        AssertFailsWithNothingWritten(options, ErrorCodes.TokenizerMissing);
    }

    [Fact]
    public void UnknownRopeScalingType()
    {
        var options = GgufFixtures.CaseWithTokenizer("linear_bf16", _temp) with { Formats = OutputFormats.Gguf };
        EditConfig(options, c => c["rope_scaling"] = new JsonObject { ["rope_type"] = "longrope", ["factor"] = 4.0 });
        var error = AssertFailsWithNothingWritten(options, ErrorCodes.GgufHyperparameter);
        Assert.Contains("longrope", error.Message);
    }

    [Fact]
    public void MissingHyperparameter()
    {
        var options = GgufFixtures.CaseWithTokenizer("linear_bf16", _temp) with { Formats = OutputFormats.Gguf };
        EditConfig(options, c => c.Remove("rms_norm_eps"));
        var error = AssertFailsWithNothingWritten(options, ErrorCodes.GgufHyperparameter);
        Assert.Contains("rms_norm_eps", error.Message);
    }

    [Fact]
    public void GgufTypeWithoutGgufOutputIsRejected()
    {
        var options = GgufFixtures.CaseWithTokenizer("linear_bf16", _temp) with { GgufType = GgufTensorType.Q8_0 };
        AssertFailsWithNothingWritten(options, ErrorCodes.InvalidMergeOptions);
    }

    [Fact]
    public void SafetensorsOnlyMergeNeedsNoTokenizer()
    {
        var options = GgufFixtures.CaseWithTokenizer("linear_bf16", _temp);
        File.Delete(Path.Combine(options.BaseModelDirectory, "vocab.json"));
        MergeEngine.Merge(options);
        Assert.False(File.Exists(Path.Combine(options.OutputDirectory, GgufArtifact.FileName)));
    }

    [Theory]
    [InlineData(DType.F8_E4M3)]
    [InlineData(DType.F8_E8M0)]
    [InlineData(DType.F4)]
    [InlineData(DType.I32)]
    public void TensorThatIsNotF32F16OrBf16IsRefused(DType dtype)
    {
        var options = GgufFixtures.CaseWithTokenizer("linear_bf16", _temp);
        const string norm = "model.layers.1.input_layernorm.weight";
        SafetensorsRewrite.Rewrite(Path.Combine(options.BaseModelDirectory, "model.safetensors"), new Dictionary<string, DType> { [norm] = dtype }, []);

        var error = AssertFailsWithNothingWritten(options with { Formats = OutputFormats.Gguf }, ErrorCodes.UnmappedTensor);
        Assert.Contains($"'{norm}' is {dtype}", error.Message);
        // The same base merges to safetensors, the tensor copied through.
        MergeEngine.Merge(options);
    }

    private static LoraException AssertFailsWithNothingWritten(MergeOptions options, string code)
    {
        var error = Assert.Throws<LoraException>(() => MergeEngine.Merge(options));
        Assert.Equal(code, error.Code);
        Assert.False(Directory.Exists(options.OutputDirectory), "the failed merge left an output folder");
        Assert.Equal(["base"], Directory.GetFileSystemEntries(Path.GetDirectoryName(options.OutputDirectory)!).Select(p => Path.GetFileName(p)!).ToArray());
        return error;
    }

    private static void EditConfig(MergeOptions options, Action<JsonObject> edit)
    {
        string path = Path.Combine(options.BaseModelDirectory, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(config);
        File.WriteAllText(path, config.ToJsonString());
    }
}
