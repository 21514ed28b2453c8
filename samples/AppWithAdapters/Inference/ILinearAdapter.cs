namespace AppWithAdapters.Inference;

/// <summary>Adds an extra term to a linear layer's output at run time (an unmerged LoRA, for example).</summary>
public interface ILinearAdapter
{
    /// <summary>Called after <c>output = input · Wᵀ</c> for the module named <paramref name="module"/>
    /// (e.g. <c>model.layers.0.mlp.up_proj</c>); implementations add their delta into <paramref name="output"/>.</summary>
    void AddDelta(string module, ReadOnlySpan<float> input, Span<float> output);
}
