using System.Text;
using LLama;
using LLama.Common;
using LLama.Native;
using LoraMerge.Formats;
using LoraMerge.Gguf.Tests.Tokenizers;
using LoraMerge.Merging;
using LoraMerge.Numerics;

namespace LoraMerge.Gguf.Tests;

/// <summary>
/// Small random models shaped like the real ones (Llama 3.2 with its rope scaling and tied embeddings, Mistral,
/// Qwen 2.5 with q/k/v biases), with the real tokenizers, merged with a LoRA to a q8_0 GGUF: llama.cpp loads each,
/// tokenizes as Hugging Face does, and computes finite logits over the whole vocabulary.
/// </summary>
public sealed class RealTokenizerModelTests
{
    public static TheoryData<string, string> Models() => new()
    {
        { "llama3", "LlamaForCausalLM" },
        { "mistral", "MistralForCausalLM" },
        { "qwen2_5", "Qwen2ForCausalLM" },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void LlamaCppRunsTheMergedModel(string tokenizer, string architecture)
    {
        using var folder = TokenizerFolders.Unpack(tokenizer);
        int vocab = TokenizerFolders.VocabSizes[tokenizer];
        string model = folder.Path;
        string adapter = Path.Combine(model, "adapter");
        WriteModel(model, architecture, vocab);
        WriteAdapter(adapter);
        string output = Path.Combine(Path.GetTempPath(), "loramerge-realtok-" + Guid.NewGuid().ToString("N"));
        try
        {
            MergeEngine.Merge(new MergeOptions
            {
                BaseModelDirectory = model,
                Adapters = [new AdapterInput(adapter)],
                OutputDirectory = output,
                Formats = OutputFormats.Gguf,
                GgufType = GgufTensorType.Q8_0,
            });
            var parameters = new ModelParams(Path.Combine(output, GgufArtifact.FileName)) { ContextSize = 64, GpuLayerCount = 0 };
            using var weights = LLamaWeights.LoadFromFile(parameters);
            Assert.Equal(vocab, weights.Vocab.Count);
            var reference = TokenizerFolders.Reference(tokenizer).First(c => c.Text.StartsWith("Hello", StringComparison.Ordinal));
            var ids = weights.Tokenize(reference.Text, add_bos: true, special: false, Encoding.UTF8);
            Assert.Equal(reference.Ids, ids.Select(t => (int)t).ToArray());

            using var context = weights.CreateContext(parameters);
            var batch = new LLamaBatch();
            for (int i = 0; i < ids.Length; i++)
                batch.Add(ids[i], i, LLamaSeqId.Zero, i == ids.Length - 1);
            Assert.Equal(DecodeResult.Ok, context.NativeHandle.Decode(batch));
            var logits = context.NativeHandle.GetLogitsIth(batch.TokenCount - 1).ToArray();
            Assert.Equal(vocab, logits.Length);
            Assert.All(logits, l => Assert.True(float.IsFinite(l)));
            Assert.True(logits.Max() - logits.Min() > 1e-3f, "all logits are equal");
        }
        finally
        {
            if (Directory.Exists(output))
                Directory.Delete(output, recursive: true);
        }
    }

    private const int Hidden = 64, Heads = 4, KvHeads = 2, Intermediate = 128, Layers = 2;

    private static void WriteModel(string folder, string architecture, int vocab)
    {
        bool qwen = architecture == "Qwen2ForCausalLM";
        string ropeScaling = tokenizerRope(architecture);
        File.WriteAllText(Path.Combine(folder, "config.json"), $$"""
            {"architectures": ["{{architecture}}"], "hidden_size": {{Hidden}}, "intermediate_size": {{Intermediate}},
             "num_attention_heads": {{Heads}}, "num_key_value_heads": {{KvHeads}}, "num_hidden_layers": {{Layers}},
             "vocab_size": {{vocab}}, "rms_norm_eps": 1e-05, "max_position_embeddings": 256, "rope_theta": 500000.0,
             "tie_word_embeddings": true, "torch_dtype": "bfloat16", "rope_scaling": {{ropeScaling}}}
            """);
        var specs = new List<TensorSpec> { new("model.embed_tokens.weight", DType.BF16, [vocab, Hidden]), new("model.norm.weight", DType.BF16, [Hidden]) };
        int kv = Hidden / Heads * KvHeads;
        for (int l = 0; l < Layers; l++)
        {
            string p = $"model.layers.{l}.";
            specs.Add(new(p + "input_layernorm.weight", DType.BF16, [Hidden]));
            specs.Add(new(p + "post_attention_layernorm.weight", DType.BF16, [Hidden]));
            specs.Add(new(p + "self_attn.q_proj.weight", DType.BF16, [Hidden, Hidden]));
            specs.Add(new(p + "self_attn.k_proj.weight", DType.BF16, [kv, Hidden]));
            specs.Add(new(p + "self_attn.v_proj.weight", DType.BF16, [kv, Hidden]));
            specs.Add(new(p + "self_attn.o_proj.weight", DType.BF16, [Hidden, Hidden]));
            if (qwen)
            {
                specs.Add(new(p + "self_attn.q_proj.bias", DType.BF16, [Hidden]));
                specs.Add(new(p + "self_attn.k_proj.bias", DType.BF16, [kv]));
                specs.Add(new(p + "self_attn.v_proj.bias", DType.BF16, [kv]));
            }
            specs.Add(new(p + "mlp.gate_proj.weight", DType.BF16, [Intermediate, Hidden]));
            specs.Add(new(p + "mlp.up_proj.weight", DType.BF16, [Intermediate, Hidden]));
            specs.Add(new(p + "mlp.down_proj.weight", DType.BF16, [Hidden, Intermediate]));
        }
        WriteRandom(Path.Combine(folder, "model.safetensors"), specs, seed: 1, (name, rng) => name.Contains("norm") ? 1f : (float)(rng.NextDouble() - 0.5) * 0.1f);

        static string tokenizerRope(string architecture) => architecture == "LlamaForCausalLM"
            ? """{"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}"""
            : "null";
    }

    private static void WriteAdapter(string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "adapter_config.json"), """
            {"peft_type": "LORA", "r": 4, "lora_alpha": 8, "target_modules": ["q_proj", "v_proj"], "bias": "none"}
            """);
        int kv = Hidden / Heads * KvHeads;
        var specs = new List<TensorSpec>();
        for (int l = 0; l < Layers; l++)
        {
            string p = $"base_model.model.model.layers.{l}.self_attn.";
            specs.Add(new(p + "q_proj.lora_A.weight", DType.F32, [4, Hidden]));
            specs.Add(new(p + "q_proj.lora_B.weight", DType.F32, [Hidden, 4]));
            specs.Add(new(p + "v_proj.lora_A.weight", DType.F32, [4, Hidden]));
            specs.Add(new(p + "v_proj.lora_B.weight", DType.F32, [kv, 4]));
        }
        WriteRandom(Path.Combine(folder, "adapter_model.safetensors"), specs, seed: 2, (_, rng) => (float)(rng.NextDouble() - 0.5) * 0.1f);
    }

    private static void WriteRandom(string path, List<TensorSpec> specs, int seed, Func<string, Random, float> value)
    {
        var rng = new Random(seed);
        using var writer = SafetensorsWriter.Create(path, specs, null);
        for (int i = 0; i < writer.Layout.Count; i++)
        {
            var t = writer.Layout[i];
            var bytes = new byte[t.ByteLength];
            long n = t.ByteLength / DTypes.SizeOf(t.DType);
            for (long e = 0; e < n; e++)
            {
                float v = value(t.Name, rng);
                if (t.DType == DType.BF16)
                    BitConverter.TryWriteBytes(bytes.AsSpan((int)(e * 2)), HalfConversions.F32ToBf16(v));
                else
                    BitConverter.TryWriteBytes(bytes.AsSpan((int)(e * 4)), v);
            }
            writer.WriteTensor(i, bytes);
        }
        writer.Commit();
    }
}
