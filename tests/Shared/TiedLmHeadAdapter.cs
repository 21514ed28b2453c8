using System.Runtime.InteropServices;
using LoraMerge.Formats;

namespace LoraMerge.Tests.Shared;

/// <summary>
/// A LoRA adapter on <c>lm_head</c> for the <c>tied_embeddings_bf16</c> fixture's base (hidden 16, vocabulary 50,
/// tie_word_embeddings=true, no lm_head.weight): the case that merges into the embedding with warning LORA1904.
/// </summary>
internal static class TiedLmHeadAdapter
{
    public static string Write(string directory)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "adapter_config.json"),
            """{"peft_type": "LORA", "r": 2, "lora_alpha": 4, "target_modules": ["lm_head"], "bias": "none"}""");
        TensorSpec[] specs =
        [
            new("base_model.model.lm_head.lora_A.weight", DType.F32, [2, 16]),
            new("base_model.model.lm_head.lora_B.weight", DType.F32, [50, 2]),
        ];
        using var writer = SafetensorsWriter.Create(Path.Combine(directory, "adapter_model.safetensors"), specs, null);
        writer.WriteTensor(0, MemoryMarshal.AsBytes(Enumerable.Range(0, 32).Select(i => i / 64f).ToArray().AsSpan()));
        writer.WriteTensor(1, MemoryMarshal.AsBytes(Enumerable.Range(0, 100).Select(i => (i % 7 - 3) / 16f).ToArray().AsSpan()));
        writer.Commit();
        return directory;
    }
}
