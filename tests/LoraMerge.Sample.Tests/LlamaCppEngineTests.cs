using AppWithAdapters.Inference;
using LoraMerge.Gguf;
using LoraMerge.Merging;
using Xunit.Abstractions;

namespace LoraMerge.Sample.Tests;

/// <summary>llama.cpp (through LLamaSharp) runs the merged sample from its GGUF and agrees with the C# engine.</summary>
public sealed class LlamaCppEngineTests(ITestOutputHelper output) : IDisposable
{
    private const string Prompt = "BOFH excuse #";
    private readonly string _temp = Directory.CreateTempSubdirectory("loramerge-gguf-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    /// <summary>
    /// Largest |Δlogit| over the vocabulary at the prompt's last position, against the C# engine on the merged f32
    /// weights (llama.cpp with an f32 attention cache and no flash attention, whose CPU path rounds to f16). f32: only
    /// the order of the sums differs (measured 2.4e-6 on logits of magnitude ~10). bf16 and q8_0: llama.cpp runs
    /// weights rounded to 8 significant bits (bf16) or to a per-32-block scale of 1/127 of the block's largest value
    /// (q8_0), which moves these logits by 0.015 and 0.053 measured; the bounds leave a 5x margin.
    /// </summary>
    [Theory]
    [InlineData("f32", 1e-4f)]
    [InlineData("bf16", 0.1f)]
    [InlineData("q8_0", 0.25f)]
    public void LogitsAgreeWithTheCSharpEngine(string type, float tolerance)
    {
        string merged = Merge(type);
        using var weights = new SafetensorsWeights(Path.Combine(merged, "model.safetensors"));
        using var sample = SampleModel.Base();
        var engine = new LlamaModel(sample.Config, weights);
        int[] ids = [sample.Tokenizer.SeparatorId, .. sample.Tokenizer.Encode(Prompt)];
        using var llama = new LlamaCppTextGenerator(Path.Combine(merged, GgufArtifact.FileName));
        Assert.Equal(ids, llama.Tokenize(Prompt));

        var expected = engine.LastLogits(ids);
        var actual = llama.LastLogits(ids);
        Assert.Equal(expected.Length, actual.Length);
        float maxDiff = expected.Zip(actual, (e, a) => MathF.Abs(e - a)).Max();
        output.WriteLine($"{type}: max |Δlogit| = {maxDiff:E3} (bound {tolerance})");
        Assert.True(maxDiff <= tolerance, $"{type}: llama.cpp's logits differ from the C# engine's by {maxDiff}");
    }

    [Fact]
    public void GreedyTextFromF32IsIdentical()
    {
        string merged = Merge("f32");
        using var weights = new SafetensorsWeights(Path.Combine(merged, "model.safetensors"));
        using var sample = SampleModel.Base();
        string expected = new TextGenerator(new LlamaModel(sample.Config, weights), sample.Tokenizer).Generate(Prompt, 120, new Sampler(0, 1));
        using var llama = new LlamaCppTextGenerator(Path.Combine(merged, GgufArtifact.FileName));
        string actual = llama.Generate(Prompt, 120, new Sampler(0, 1));
        output.WriteLine(actual);
        Assert.True(expected.Length > Prompt.Length + 20, "the C# engine generated almost nothing");
        Assert.Equal(expected, actual);
    }

    private string Merge(string type)
    {
        string merged = Path.Combine(_temp, type);
        Assert.True(GgufTensorTypes.TryParse(type, out var ggufType));
        MergeEngine.Merge(new MergeOptions
        {
            BaseModelDirectory = SamplePaths.ModelDir,
            Adapters = [new AdapterInput(SamplePaths.AdapterDir)],
            OutputDirectory = merged,
            Formats = OutputFormats.Safetensors | OutputFormats.Gguf,
            GgufType = ggufType,
        });
        return merged;
    }
}
