using System.Text.Json;
using LoraMerge.Core.Tests.TestSupport;
using LoraMerge.Formats;
using LoraMerge.Merging;

namespace LoraMerge.Core.Tests.Merging;

/// <summary>
/// PEFT saves the embedding layer itself ("save_embedding_layers", automatic when embed_tokens is targeted) next to
/// the embedding LoRA. Loading puts that copy into the base layer, and the merge adds the delta on top of it.
/// </summary>
public sealed class SavedEmbeddingTests
{
    private const int Vocab = 10, Hidden = SyntheticModels.Hidden, Rank = 3;

    [Fact]
    public void TiedModelsSavedLmHeadIsTheSharedEmbeddingAndIsNotAnError()
    {
        using var temp = new TempDirectory();
        string baseDir = SyntheticModels.WriteBase(temp.Path, DType.BF16, seed: 21);
        var config = Path.Combine(baseDir, "config.json");
        File.WriteAllText(config, File.ReadAllText(config).Replace("\"tie_word_embeddings\": false", "\"tie_word_embeddings\": true"));
        var embedding = ReferenceMath.ReadAll(Path.Combine(baseDir, "model.safetensors"))["model.embed_tokens.weight"];
        string adapter = Directory.CreateDirectory(temp.File("adapter")).FullName;
        File.WriteAllText(Path.Combine(adapter, "adapter_config.json"), JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["peft_type"] = "LORA", ["r"] = Rank, ["lora_alpha"] = 6, ["target_modules"] = new[] { "embed_tokens" },
        }));
        var random = new Random(3);
        SyntheticModels.WriteSafetensors(Path.Combine(adapter, "adapter_model.safetensors"), DType.F32,
        [
            ("base_model.model.model.embed_tokens.lora_embedding_A", [Rank, Vocab], Enumerable.Range(0, Rank * Vocab).Select(_ => (float)random.NextDouble()).ToArray()),
            ("base_model.model.model.embed_tokens.lora_embedding_B", [Hidden, Rank], Enumerable.Range(0, Hidden * Rank).Select(_ => (float)random.NextDouble()).ToArray()),
            ("base_model.model.model.embed_tokens.base_layer.weight", [Vocab, Hidden], embedding),
            ("base_model.model.lm_head.weight", [Vocab, Hidden], embedding),
        ]);
        var result = MergeEngine.Merge(new MergeOptions { BaseModelDirectory = baseDir, Adapters = [new AdapterInput(adapter)], OutputDirectory = temp.File("out") });
        using var merged = SafetensorsFile.Open(Path.Combine(result.OutputDirectory, "model.safetensors"));
        Assert.Null(merged.Header.Find("lm_head.weight"));
        using var original = SafetensorsFile.Open(Path.Combine(baseDir, "model.safetensors"));
        Assert.False(original.GetBytes("model.embed_tokens.weight").SequenceEqual(merged.GetBytes("model.embed_tokens.weight")));
    }

    [Theory]
    [InlineData(0f)]     // the usual case: the saved copy equals the base
    [InlineData(0.25f)]  // a saved copy that differs (e.g. trained or resized rows) is what the delta lands on
    public void EmbeddingLoraMergesOntoTheSavedEmbedding(float shift)
    {
        using var temp = new TempDirectory();
        string baseDir = SyntheticModels.WriteBase(temp.Path, DType.BF16, seed: 11);
        var baseEmbedding = ReferenceMath.ReadAll(Path.Combine(baseDir, "model.safetensors"))["model.embed_tokens.weight"];
        var saved = baseEmbedding.Select(v => v + shift).ToArray();
        var random = new Random(12);
        var a = Enumerable.Range(0, Rank * Vocab).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();   // (r, vocab)
        var b = Enumerable.Range(0, Hidden * Rank).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();  // (dim, r)

        string adapter = Directory.CreateDirectory(temp.File("adapter")).FullName;
        File.WriteAllText(Path.Combine(adapter, "adapter_config.json"), JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["peft_type"] = "LORA", ["r"] = Rank, ["lora_alpha"] = 6, ["target_modules"] = new[] { "embed_tokens" },
        }));
        SyntheticModels.WriteSafetensors(Path.Combine(adapter, "adapter_model.safetensors"), DType.F32,
        [
            ("base_model.model.model.embed_tokens.lora_embedding_A", [Rank, Vocab], a),
            ("base_model.model.model.embed_tokens.lora_embedding_B", [Hidden, Rank], b),
            ("base_model.model.model.embed_tokens.base_layer.weight", [Vocab, Hidden], saved),
        ]);

        string output = temp.File("out");
        MergeEngine.Merge(new MergeOptions { BaseModelDirectory = baseDir, Adapters = [new AdapterInput(adapter)], OutputDirectory = output });

        // Loading the saved copy into the bf16 layer rounds it to bf16 first; the delta is then added and rounded once.
        var loaded = ReferenceMath.Widen(DType.BF16, ReferenceMath.Narrow(DType.BF16, saved));
        float scale = (float)(6.0 / Rank);
        var expected = new float[Vocab * Hidden];
        for (int v = 0; v < Vocab; v++)
            for (int d = 0; d < Hidden; d++)
            {
                float dot = 0;
                for (int k = 0; k < Rank; k++)
                    dot += a[k * Vocab + v] * b[d * Rank + k];
                expected[v * Hidden + d] = loaded[v * Hidden + d] + dot * scale;
            }
        using var merged = SafetensorsFile.Open(Path.Combine(output, "model.safetensors"));
        Assert.Equal(ReferenceMath.Narrow(DType.BF16, expected), merged.GetBytes("model.embed_tokens.weight").ToArray());
    }
}
