using LoraMerge.Formats;

namespace LoraMerge.Cli.Tests;

/// <summary>Writes a small Hugging Face model folder (config.json + one safetensors file of zeros) for inspect tests.</summary>
internal static class TinyModelFolder
{
    public static void Write(string directory, IReadOnlyList<TensorSpec> tensors, string configJson)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "config.json"), configJson);
        File.WriteAllText(Path.Combine(directory, "tokenizer.json"), "{}");
        using var writer = SafetensorsWriter.Create(Path.Combine(directory, "model.safetensors"), tensors, null);
        for (int i = 0; i < tensors.Count; i++)
            writer.WriteTensor(i, new byte[tensors[i].ByteLength]);
        writer.Commit();
    }

    /// <summary>n tensors "layers.{i}.weight" of F16 [2, 3] (12 bytes each) plus one F32 [4] "norm.weight" (16 bytes).</summary>
    public static IReadOnlyList<TensorSpec> Layers(int n)
    {
        var specs = new List<TensorSpec>();
        for (int i = 0; i < n; i++) specs.Add(new TensorSpec($"layers.{i}.weight", DType.F16, [2, 3]));
        specs.Add(new TensorSpec("norm.weight", DType.F32, [4]));
        return specs;
    }
}
