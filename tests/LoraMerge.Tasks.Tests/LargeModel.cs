extern alias tasks;
using LoraMerge.Formats;

using tasks::LoraMerge.Tasks;
using tasks::LoraMerge.Tasks.Items;

namespace LoraMerge.Tasks.Tests;

/// <summary>
/// A Llama-shaped bf16 base of 200 MB (zeros) and a rank-256 adapter on q_proj and v_proj: slow enough (seconds of
/// arithmetic on one thread, whatever the disk) that its merge is still running when a test stops the child process.
/// </summary>
internal static class LargeModel
{
    private const int Hidden = 2048;
    private const int Layers = 12;
    private const int Rank = 256;
    private static readonly string[] Projections = ["q_proj", "v_proj"];

    public static void Write(string baseDirectory, string adapterDirectory)
    {
        Directory.CreateDirectory(baseDirectory);
        File.WriteAllText(Path.Combine(baseDirectory, "config.json"), $$"""
            {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": {{Hidden}}, "intermediate_size": {{Hidden}},
             "num_attention_heads": 16, "num_key_value_heads": 16, "num_hidden_layers": {{Layers}}, "vocab_size": 32,
             "tie_word_embeddings": false, "torch_dtype": "bfloat16"}
            """);
        var baseTensors = new List<TensorSpec>();
        for (var layer = 0; layer < Layers; layer++)
        {
            foreach (var projection in Projections)
                baseTensors.Add(new TensorSpec($"model.layers.{layer}.self_attn.{projection}.weight", DType.BF16, [Hidden, Hidden]));
        }
        WriteZeros(Path.Combine(baseDirectory, "model.safetensors"), baseTensors);

        Directory.CreateDirectory(adapterDirectory);
        File.WriteAllText(Path.Combine(adapterDirectory, "adapter_config.json"), $$"""
            {"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": {{Rank}}, "lora_alpha": 16, "target_modules": ["q_proj", "v_proj"], "bias": "none"}
            """);
        var adapterTensors = new List<TensorSpec>();
        for (var layer = 0; layer < Layers; layer++)
        {
            foreach (var projection in Projections)
            {
                var module = $"base_model.model.model.layers.{layer}.self_attn.{projection}";
                adapterTensors.Add(new TensorSpec($"{module}.lora_A.weight", DType.F32, [Rank, Hidden]));
                adapterTensors.Add(new TensorSpec($"{module}.lora_B.weight", DType.F32, [Hidden, Rank]));
            }
        }
        WriteZeros(Path.Combine(adapterDirectory, "adapter_model.safetensors"), adapterTensors);
    }

    private static void WriteZeros(string path, List<TensorSpec> tensors)
    {
        using var writer = SafetensorsWriter.Create(path, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        for (var i = 0; i < tensors.Count; i++) writer.WriteTensor(i, new byte[tensors[i].ByteLength]);
        writer.Commit();
    }
}
