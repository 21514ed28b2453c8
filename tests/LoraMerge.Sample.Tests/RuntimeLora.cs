using System.Numerics.Tensors;
using System.Text.Json;
using AppWithAdapters.Inference;

namespace LoraMerge.Sample.Tests;

/// <summary>An unmerged PEFT LoRA applied at run time: y += s · (x · Aᵀ) · Bᵀ with s = lora_alpha / r,
/// reading A (r, in) and B (out, r) from adapter_model.safetensors.</summary>
internal sealed class RuntimeLora : ILinearAdapter, IDisposable
{
    private readonly SafetensorsWeights _weights;
    private readonly HashSet<string> _modules;
    private readonly float[] _hidden;

    public RuntimeLora(string adapterDir)
    {
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(adapterDir, "adapter_config.json"))))
        {
            var root = doc.RootElement;
            Rank = root.GetProperty("r").GetInt32();
            Scaling = (float)(root.GetProperty("lora_alpha").GetDouble() / Rank);
        }

        _weights = new SafetensorsWeights(Path.Combine(adapterDir, "adapter_model.safetensors"));
        const string prefix = "base_model.model.";
        const string suffix = ".lora_A.weight";
        _modules = _weights.Names.Where(n => n.EndsWith(suffix, StringComparison.Ordinal))
            .Select(n => n[prefix.Length..^suffix.Length])
            .ToHashSet(StringComparer.Ordinal);
        _hidden = new float[Rank];
    }

    public int Rank { get; }

    public float Scaling { get; }

    public IReadOnlyCollection<string> Modules => _modules;

    public void AddDelta(string module, ReadOnlySpan<float> input, Span<float> output)
    {
        if (!_modules.Contains(module))
        {
            return;
        }

        var a = _weights.Get($"base_model.model.{module}.lora_A.weight");
        var b = _weights.Get($"base_model.model.{module}.lora_B.weight");
        for (int k = 0; k < Rank; k++)
        {
            _hidden[k] = TensorPrimitives.Dot(a.Slice(k * input.Length, input.Length), input);
        }

        for (int o = 0; o < output.Length; o++)
        {
            output[o] += Scaling * TensorPrimitives.Dot(b.Slice(o * Rank, Rank), _hidden);
        }
    }

    public void Dispose() => _weights.Dispose();
}
