using System.Runtime.InteropServices;
using System.Text.Json;
using LoraMerge.Formats;
using LoraMerge.Numerics;

namespace LoraMerge.Core.Tests.Merging;

/// <summary>Writes small random Llama-shaped base models and PEFT adapters for property tests.</summary>
internal static class SyntheticModels
{
    public const int Hidden = 12;
    public const int Intermediate = 20;
    public static readonly string[] Projections = ["q_proj", "v_proj", "down_proj"];

    public static string WriteBase(string root, DType dtype, int seed)
    {
        var dir = Directory.CreateDirectory(Path.Combine(root, "base")).FullName;
        File.WriteAllText(Path.Combine(dir, "config.json"), """
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 12, "intermediate_size": 20,
             "num_attention_heads": 2, "num_key_value_heads": 2, "num_hidden_layers": 1, "vocab_size": 10,
             "tie_word_embeddings": false, "torch_dtype": "float32"}
            """);
        var random = new Random(seed);
        var tensors = new List<(string Name, long[] Shape, float[] Values)>
        {
            ("model.embed_tokens.weight", [10, Hidden], RandomValues(random, 10 * Hidden, 1f)),
            ("model.layers.0.self_attn.q_proj.weight", [Hidden, Hidden], RandomValues(random, Hidden * Hidden, 1f)),
            ("model.layers.0.self_attn.v_proj.weight", [Hidden, Hidden], RandomValues(random, Hidden * Hidden, 1f)),
            ("model.layers.0.mlp.down_proj.weight", [Hidden, Intermediate], RandomValues(random, Hidden * Intermediate, 1f)),
            ("model.norm.weight", [Hidden], RandomValues(random, Hidden, 1f)),
        };
        WriteSafetensors(Path.Combine(dir, "model.safetensors"), dtype, tensors);
        return dir;
    }

    /// <param name="configExtras">Further adapter_config.json fields.</param>
    /// <param name="extraTensors">Further tensors of the adapter file, after the LoRA factors.</param>
    public static string WriteAdapter(string root, string name, int rank, double alpha, int seed, float magnitude = 0.3f,
        IReadOnlyDictionary<string, object?>? configExtras = null, IEnumerable<(string Name, long[] Shape, float[] Values)>? extraTensors = null)
    {
        var dir = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
        var config = new Dictionary<string, object?>
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["r"] = rank,
            ["lora_alpha"] = alpha,
            ["target_modules"] = Projections,
            ["bias"] = "none",
        };
        foreach (var (key, value) in configExtras ?? new Dictionary<string, object?>())
            config[key] = value;
        File.WriteAllText(Path.Combine(dir, "adapter_config.json"), JsonSerializer.Serialize(config));
        var random = new Random(seed);
        var tensors = new List<(string Name, long[] Shape, float[] Values)>();
        foreach (var p in Projections)
        {
            string module = p == "down_proj" ? "model.layers.0.mlp.down_proj" : $"model.layers.0.self_attn.{p}";
            int inFeatures = p == "down_proj" ? Intermediate : Hidden;
            tensors.Add(($"base_model.model.{module}.lora_A.weight", [rank, inFeatures], RandomValues(random, rank * inFeatures, magnitude)));
            tensors.Add(($"base_model.model.{module}.lora_B.weight", [Hidden, rank], RandomValues(random, Hidden * rank, magnitude)));
        }
        tensors.AddRange(extraTensors ?? []);
        WriteSafetensors(Path.Combine(dir, "adapter_model.safetensors"), DType.F32, tensors);
        return dir;
    }

    public static void WriteSafetensors(string path, DType dtype, List<(string Name, long[] Shape, float[] Values)> tensors)
    {
        var specs = tensors.Select(t => new TensorSpec(t.Name, dtype, t.Shape)).ToArray();
        using var writer = SafetensorsWriter.Create(path, specs, new Dictionary<string, string> { ["format"] = "pt" });
        for (int i = 0; i < tensors.Count; i++)
            writer.Write(i, 0, Encode(dtype, tensors[i].Values));
        writer.Commit();
    }

    public static byte[] Encode(DType dtype, float[] values)
    {
        switch (dtype)
        {
            case DType.F32:
                return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
            case DType.BF16:
            {
                var bits = new ushort[values.Length];
                HalfConversions.F32ToBf16(values, bits);
                return MemoryMarshal.AsBytes(bits.AsSpan()).ToArray();
            }
            default:
            {
                var bits = new ushort[values.Length];
                HalfConversions.F32ToF16(values, bits);
                return MemoryMarshal.AsBytes(bits.AsSpan()).ToArray();
            }
        }
    }

    private static float[] RandomValues(Random random, int count, float scale)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = (float)(random.NextDouble() * 2 - 1) * scale;
        return values;
    }
}
