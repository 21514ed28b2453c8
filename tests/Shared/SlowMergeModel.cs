using System.Runtime.InteropServices;
using LoraMerge.Formats;

namespace LoraMerge.Tests.Shared;

/// <summary>
/// A base of <c>layers</c> f32 q_proj matrices of <c>size</c>² (random, fixed seed) and a rank-<c>rank</c> LoRA on them:
/// a merge that is still running when a test cancels or interrupts it.
/// </summary>
internal static class SlowMergeModel
{
    public static (string Base, string Adapter) Write(string root, int layers, int size, int rank)
    {
        var baseDir = Directory.CreateDirectory(Path.Combine(root, "base")).FullName;
        File.WriteAllText(Path.Combine(baseDir, "config.json"),
            $$"""{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": {{size}}, "num_hidden_layers": {{layers}}}""");
        var random = new Random(18);
        var specs = Enumerable.Range(0, layers).Select(i => new TensorSpec($"model.layers.{i}.self_attn.q_proj.weight", DType.F32, [size, size])).ToArray();
        var values = new float[size * size];
        using (var writer = SafetensorsWriter.Create(Path.Combine(baseDir, "model.safetensors"), specs, null))
        {
            for (int i = 0; i < layers; i++)
            {
                for (int j = 0; j < values.Length; j++) values[j] = (float)(random.NextDouble() - 0.5);
                writer.WriteTensor(i, MemoryMarshal.AsBytes(values.AsSpan()));
            }
            writer.Commit();
        }

        var adapterDir = Directory.CreateDirectory(Path.Combine(root, "adapter")).FullName;
        File.WriteAllText(Path.Combine(adapterDir, "adapter_config.json"),
            $$"""{"peft_type": "LORA", "r": {{rank}}, "lora_alpha": 16, "target_modules": ["q_proj"], "bias": "none"}""");
        var adapterSpecs = Enumerable.Range(0, layers).SelectMany(i => new[]
        {
            new TensorSpec($"base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight", DType.F32, [rank, size]),
            new TensorSpec($"base_model.model.model.layers.{i}.self_attn.q_proj.lora_B.weight", DType.F32, [size, rank]),
        }).ToArray();
        var factor = new float[rank * size];
        using (var writer = SafetensorsWriter.Create(Path.Combine(adapterDir, "adapter_model.safetensors"), adapterSpecs, null))
        {
            for (int i = 0; i < adapterSpecs.Length; i++)
            {
                for (int j = 0; j < factor.Length; j++) factor[j] = (float)(random.NextDouble() - 0.5) * 0.1f;
                writer.WriteTensor(i, MemoryMarshal.AsBytes(factor.AsSpan()));
            }
            writer.Commit();
        }
        return (baseDir, adapterDir);
    }
}
