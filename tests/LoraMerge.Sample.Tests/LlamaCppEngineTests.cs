using AppWithAdapters.Inference;
using LLama;
using LLama.Common;
using LLama.Native;
using LoraMerge.Gguf;
using LoraMerge.Merging;
using Xunit.Abstractions;

namespace LoraMerge.Sample.Tests;

/// <summary>llama.cpp (through LLamaSharp) runs the merged sample from its GGUF and agrees with the C# engine.</summary>
public sealed class LlamaCppEngineTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("loramerge-gguf-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Theory]
    [InlineData("f32")]
    [InlineData("bf16")]
    [InlineData("q8_0")]
    public void LogitsAgreeWithTheCSharpEngine(string type)
    {
        string merged = Merge(type);
        using var weights = new SafetensorsWeights(Path.Combine(merged, "model.safetensors"));
        using var sample = SampleModel.Base();
        var engine = new LlamaModel(sample.Config, weights);
        int[] ids = [sample.Tokenizer.SeparatorId, .. sample.Tokenizer.Encode("BOFH excuse #")];
        var expected = engine.LastLogits(ids);

        var actual = LlamaCppLogits(Path.Combine(merged, GgufArtifact.FileName), ids);
        float maxDiff = 0;
        for (int i = 0; i < expected.Length; i++)
            maxDiff = MathF.Max(maxDiff, MathF.Abs(expected[i] - actual[i]));
        output.WriteLine($"{type}: max |Δlogit| = {maxDiff:E3}");
        Assert.True(maxDiff < 1, $"{type}: {maxDiff}");
    }

    private string Merge(string type)
    {
        string merged = Path.Combine(_temp, type);
        GgufTensorTypes.TryParse(type, out var ggufType);
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

    private static float[] LlamaCppLogits(string gguf, int[] ids)
    {
        var parameters = new ModelParams(gguf) { ContextSize = 256, GpuLayerCount = 0, BatchSize = 256 };
        using var model = LLamaWeights.LoadFromFile(parameters);
        using var context = model.CreateContext(parameters);
        var batch = new LLamaBatch();
        for (int i = 0; i < ids.Length; i++)
            batch.Add((LLamaToken)ids[i], i, LLamaSeqId.Zero, i == ids.Length - 1);
        var result = context.NativeHandle.Decode(batch);
        Assert.Equal(DecodeResult.Ok, result);
        return context.NativeHandle.GetLogitsIth(batch.TokenCount - 1).ToArray();
    }
}
