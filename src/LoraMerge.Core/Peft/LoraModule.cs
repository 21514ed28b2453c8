using LoraMerge.Formats;

namespace LoraMerge.Peft;

/// <summary>The tensors of one LoRA-adapted module of the base model.</summary>
/// <param name="ModuleKey">The module's path inside the base transformers model, e.g. <c>model.layers.0.self_attn.q_proj</c>.</param>
/// <param name="A"><c>lora_A.weight</c> or <c>lora_embedding_A</c>.</param>
/// <param name="B"><c>lora_B.weight</c> or <c>lora_embedding_B</c>.</param>
/// <param name="BBias"><c>lora_B.bias</c> (<c>lora_bias=true</c>), merged into the base bias as <c>b += s * bias</c>.</param>
/// <param name="Magnitude">DoRA's <c>lora_magnitude_vector</c>.</param>
/// <param name="Rank">A's first dimension; equal to the config's rank for this module.</param>
/// <param name="Alpha">The config's alpha for this module (<c>alpha_pattern</c> or <c>lora_alpha</c>).</param>
public sealed record LoraModule(
    string ModuleKey,
    LoraModuleKind Kind,
    TensorInfo A,
    TensorInfo B,
    TensorInfo? BBias,
    TensorInfo? Magnitude,
    int Rank,
    double Alpha)
{
    /// <summary>The base tensor the delta is merged into.</summary>
    public string BaseWeightName => ModuleKey + ".weight";

    /// <summary>The base bias that <see cref="BBias"/> is merged into.</summary>
    public string BaseBiasName => ModuleKey + ".bias";
}
