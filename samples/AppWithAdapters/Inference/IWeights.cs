namespace AppWithAdapters.Inference;

/// <summary>Supplies f32 tensors by their transformers name (e.g. <c>model.layers.0.self_attn.q_proj.weight</c>),
/// row-major, in the shape the checkpoint stores them.</summary>
public interface IWeights
{
    ReadOnlySpan<float> Get(string name);
}
